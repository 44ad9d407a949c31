"""MST-regularized training of the binary CNN (`bcnn`'s architecture), see README.md.

    /usr/bin/python3 models/train/train_mst.py sweep  --lambdas 0,1,4,16 [--epochs 4] [--steps-per-tree 50]
    /usr/bin/python3 models/train/train_mst.py finetune --from 0 --lambdas 1,0.3 [--epochs 2] [--lr 1e-3]
    /usr/bin/python3 models/train/train_mst.py export --run ft0-1 --name bcnn_mst1
    /usr/bin/python3 models/train/train_mst.py summary     # every run -> models/data/trained/mst-sweep.json

`sweep` trains one model per strength lambda with the loss

    cross-entropy + lambda * sum over binary layers of  mst_surrogate(layer)

    mst_surrogate(W) = 1 / ((N - 1) K) * sum over edges (j, k) of the current tree
                                           sum_i (1 - tanh(a w_ji) tanh(a w_ki)) / 2

where W (N output channels x K = Cin*3*3) are the layer's latent real weights, whose signs are
the deployed +-1 weights. With tanh replaced by sign the inner sum is exactly the Hamming
distance between channels j and k, so the surrogate is the tree's total distance divided by
(N - 1) K (the mean fraction of differing positions per edge). The tree is the minimum
spanning tree of the Hamming distances of the current signs (Prim's algorithm), rebuilt every
`--steps-per-tree` optimizer steps; between rebuilds its edges are held fixed.

`finetune` starts from a saved run (its training-form state) and trains `--epochs` more with
the MST loss, on a fresh one-cycle schedule peaking at `--lr`.

Each run saves its deploy and training-form state dicts under $BITWEAVE_TRAIN_CKPT
(/tmp/bitweave-train) and appends a line to sweep.jsonl there (accuracy on the 10,000 test
images, tree totals per layer). `export` re-evaluates a saved run and writes it like `bcnn`
(ONNX, predictions, logits, metrics.json entry) under models/data/trained/.

Threads: 1 (the machine is shared); nice it (`nice -n 10`). Seeds as bcnn's (3).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import train as base  # noqa: E402  (the bcnn model, its deploy form, the data loader)

SEED = 3            # bcnn's seed: lambda = 0 is bcnn's recipe on one thread
SHARPNESS = 8.0     # a in tanh(a w): latent weights live in [-1, 1], most within +-0.3
SWEEP_LOG = common.CKPT_DIR / 'sweep.jsonl'


def hamming(signs: np.ndarray) -> np.ndarray:
    """Pairwise Hamming distances of +-1 rows (N x K) -> int64 N x N."""
    s = signs.astype(np.int64)
    k = s.shape[1]
    return (k - s @ s.T) // 2


def prim_edges(dist: np.ndarray) -> list[tuple[int, int]]:
    """(parent, child) edges of a minimum spanning tree of a dense distance matrix, from node 0;
    equal distances go to the lowest index (deterministic)."""
    n = dist.shape[0]
    in_tree = np.zeros(n, dtype=bool)
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    best[0] = 0
    edges: list[tuple[int, int]] = []
    for _ in range(n):
        cand = np.where(in_tree, np.iinfo(np.int64).max, best)
        u = int(np.argmin(cand))
        in_tree[u] = True
        if parent[u] >= 0:
            edges.append((int(parent[u]), u))
        closer = (~in_tree) & (dist[u] < best)
        best[closer] = dist[u][closer]
        parent[closer] = u
    return edges


def signs_of(w: torch.Tensor) -> np.ndarray:
    """Deployed signs: +1 where the latent weight is >= 0 (as BCNNDeploy)."""
    return np.where(w.detach().flatten(1).numpy() >= 0, 1, -1)


def mst_total(w: torch.Tensor) -> int:
    """Total Hamming distance of the minimum spanning tree of the deployed signs."""
    d = hamming(signs_of(w))
    return int(sum(d[p, c] for p, c in prim_edges(d)))


def storage_bits(w: torch.Tensor) -> dict:
    """The never-losing storage of sim/schedulers/mst-storage.ts on this layer's MST (for the
    training log only; the simulator's own figures are the reported ones): root K bits, per child
    one flag bit plus the cheaper of K plain bits and a difference list (count + indices)."""
    s = signs_of(w)
    n, k = s.shape
    d = hamming(s)
    idx_bits = max(1, math.ceil(math.log2(k)))
    count_bits = max(1, math.ceil(math.log2(k + 1)))
    bits, lists = k, 0
    for p, c in prim_edges(d):
        diff = count_bits + int(d[p, c]) * idx_bits
        bits += 1 + min(diff, k)
        lists += diff < k
    return {'direct_bits': n * k, 'mst_bits': min(bits, n * k), 'children_as_lists': lists,
            'children': n - 1}


class TreeSurrogate:
    """The MST-distance surrogate of one binary layer over a tree rebuilt every `every` steps."""

    def __init__(self, weight: torch.nn.Parameter, every: int) -> None:
        self.weight = weight
        self.every = every
        self.steps = 0
        self.parents = torch.zeros(0, dtype=torch.long)
        self.children = torch.zeros(0, dtype=torch.long)

    def rebuild(self) -> None:
        edges = prim_edges(hamming(signs_of(self.weight)))
        self.parents = torch.tensor([p for p, _ in edges], dtype=torch.long)
        self.children = torch.tensor([c for _, c in edges], dtype=torch.long)

    def loss(self) -> torch.Tensor:
        if self.steps % self.every == 0:
            self.rebuild()
        self.steps += 1
        t = torch.tanh(SHARPNESS * self.weight.flatten(1))
        n, k = t.shape
        return ((1 - t[self.parents] * t[self.children]) / 2).sum() / ((n - 1) * k)


def train_one(lam: float, epochs: int, every: int, log=print, *, init: str | None = None,
              lr: float = 3e-3) -> dict:
    """Trains from scratch (bcnn's recipe), or fine-tunes the saved run `init` (a tag), with
    the MST loss at strength `lam`; saves the run under its tag and logs it to sweep.jsonl."""
    common.setup(SEED)
    torch.set_num_threads(1)
    model = base.BCNN()
    if init is not None:
        model.load_state_dict(torch.load(common.CKPT_DIR / f'bcnn_mst_{init}.pt')['model'])
    x, y = base.load_train()
    latent = [model.conv2.weight, model.conv3.weight]
    surrogates = [TreeSurrogate(w, every) for w in latent]
    gen = torch.Generator().manual_seed(SEED)
    batch = 128  # bcnn's recipe (train.py run_bcnn, common.train): lr 3e-3 from scratch
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    steps_per_epoch = (x.shape[0] + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs, steps_per_epoch=steps_per_epoch)
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        te = time.time()
        perm = torch.randperm(x.shape[0], generator=gen)
        total, correct, ce_sum, reg_sum = 0, 0, 0.0, 0.0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            out = model(xb)
            ce = loss_fn(out, yb)
            reg = sum(s.loss() for s in surrogates)
            loss = ce + lam * reg if lam > 0 else ce
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for w in latent:
                    w.clamp_(-1.0, 1.0)
            ce_sum += ce.item() * xb.shape[0]
            reg_sum += float(reg) * xb.shape[0]
            correct += int((out.argmax(1) == yb).sum())
            total += xb.shape[0]
        totals = [mst_total(w) for w in latent]
        log(f'  lambda {lam:g} epoch {epoch + 1}/{epochs}: ce {ce_sum / total:.4f} '
            f'surrogate {reg_sum / total:.4f} train acc {correct / total:.4f} '
            f'MST totals {totals} ({time.time() - te:.1f} s)')
    secs = time.time() - t0
    model.eval()
    deploy = base.BCNNDeploy(model).eval()
    test_images, test_labels = common.load_split('t10k')
    preds, _ = common.predict(deploy, common.normalize(test_images))
    acc = float((preds == test_labels).mean())
    layers = []
    for w in latent:
        n, k = w.flatten(1).shape
        layers.append({'channels': n, 'k': k, 'mst_total': mst_total(w), **storage_bits(w)})
    tag = run_tag(lam, init)
    common.CKPT_DIR.mkdir(parents=True, exist_ok=True)
    torch.save({'deploy': deploy.state_dict(), 'model': model.state_dict()}, common.CKPT_DIR / f'bcnn_mst_{tag}.pt')
    result = {'tag': tag, 'lambda': lam, 'epochs': epochs, 'lr': lr, 'init': init, 'steps_per_tree': every,
              'sharpness': SHARPNESS, 'seed': SEED, 'test_accuracy_fp32': acc, 'train_seconds': round(secs, 1),
              'layers': layers}
    with SWEEP_LOG.open('a') as f:
        f.write(json.dumps(result, sort_keys=True) + '\n')
    log(f'lambda {lam:g}: test accuracy {acc:.4f}, layers {layers}, {secs:.0f} s')
    return result


def run_tag(lam: float, init: str | None = None) -> str:
    """'4' for lambda 4 from scratch, 'ft0-0p3' for lambda 0.3 fine-tuned from run '0'."""
    tag = f'{lam:g}'.replace('.', 'p')
    return tag if init is None else f'ft{init}-{tag}'


def export(tag: str, name: str) -> None:
    """Exports a saved sweep run like bcnn (same deploy graph, same finish())."""
    common.setup(SEED)
    torch.set_num_threads(1)
    saved = torch.load(common.CKPT_DIR / f'bcnn_mst_{tag}.pt')
    model = base.BCNN()
    deploy = base.BCNNDeploy(model)
    deploy.load_state_dict(saved['deploy'])
    deploy.eval()
    zeros = base.count_sign_zeros(deploy)
    runs = [json.loads(line) for line in SWEEP_LOG.read_text().splitlines()]
    run = next(r for r in reversed(runs) if r.get('tag', run_tag(r['lambda'])) == tag)
    lam, every = run['lambda'], run['steps_per_tree']
    epochs, seconds = run['epochs'], run['train_seconds']
    if run.get('init') is not None:
        # a fine-tuned run: its epochs and time count the run it started from
        first = next(r for r in reversed(runs) if r.get('tag', run_tag(r['lambda'])) == run['init'])
        epochs, seconds = epochs + first['epochs'], seconds + first['train_seconds']
    how = (f'fine-tuned for {run["epochs"]} epochs (lr {run["lr"]:g}) from run {run["init"]} '
           f'({epochs - run["epochs"]} epochs without the MST loss)'
           if run.get('init') is not None else f'trained from scratch for {run["epochs"]} epochs')
    common.finish(name, deploy, arch=base.BCNN_ARCH, seed=SEED, epochs=epochs,
                  train_seconds=seconds, macs=base.BCNN_MACS_FP + base.BCNN_MACS_BIN,
                  notes=(f'bcnn architecture with the MST-distance loss (models/train/train_mst.py), lambda {lam:g}, '
                         f'{how}, tree rebuilt every {every} steps, tanh sharpness {SHARPNESS:g}, 1 thread'),
                  extra={'macs_fp32': base.BCNN_MACS_FP, 'macs_binary': base.BCNN_MACS_BIN,
                         'sign_inputs_exactly_zero_on_test_set': zeros,
                         'mst_training': {'lambda': lam, 'run': tag, 'init': run.get('init'), 'epochs': run['epochs'],
                                          'lr': run.get('lr', 3e-3), 'steps_per_tree': every,
                                          'sharpness': SHARPNESS, 'layers': run['layers']}})


def summary() -> None:
    """Every run of sweep.jsonl (the last of each tag) -> models/data/trained/mst-sweep.json, the
    trade-off curve's data: PyTorch accuracy on the 10,000 test images and the MST figures per
    binary layer, for the strengths that were not exported too."""
    runs: dict[str, dict] = {}
    for line in SWEEP_LOG.read_text().splitlines():
        r = json.loads(line)
        r.setdefault('tag', run_tag(r['lambda'], r.get('init')))
        r.setdefault('init', None)
        r.setdefault('lr', 3e-3)
        runs[r['tag']] = r
    ordered = sorted(runs.values(), key=lambda r: (r['init'] is not None, r['lambda']))
    doc = {'source': 'models/train/train_mst.py (sweep / finetune), PyTorch fp32 on the 10,000 test images',
           'runs': ordered}
    (common.OUT_DIR / 'mst-sweep.json').write_text(json.dumps(doc, indent=2, sort_keys=True) + '\n')


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    sw = sub.add_parser('sweep')
    sw.add_argument('--lambdas', default='0,1,4,16')
    sw.add_argument('--epochs', type=int, default=4)
    sw.add_argument('--steps-per-tree', type=int, default=50)
    ft = sub.add_parser('finetune')
    ft.add_argument('--from', dest='init', default='0', help='tag of the saved run to start from')
    ft.add_argument('--lambdas', default='1,0.3')
    ft.add_argument('--epochs', type=int, default=2)
    ft.add_argument('--lr', type=float, default=1e-3)
    ft.add_argument('--steps-per-tree', type=int, default=50)
    sub.add_parser('summary')
    ex = sub.add_parser('export')
    ex.add_argument('--run', required=True, help="a run's tag: '1' (lambda 1 from scratch), 'ft0-0p3', ...")
    ex.add_argument('--name', required=True)
    args = ap.parse_args()
    log = lambda s: print(s, flush=True)  # noqa: E731
    if args.cmd == 'sweep':
        for lam in (float(v) for v in args.lambdas.split(',')):
            log(f'== lambda {lam:g}')
            train_one(lam, args.epochs, args.steps_per_tree, log=log)
    elif args.cmd == 'finetune':
        for lam in (float(v) for v in args.lambdas.split(',')):
            log(f'== lambda {lam:g}, fine-tuning run {args.init}')
            train_one(lam, args.epochs, args.steps_per_tree, log=log, init=args.init, lr=args.lr)
    elif args.cmd == 'summary':
        summary()
    else:
        export(args.run, args.name)


if __name__ == '__main__':
    main()
