"""Trains the character-level Austen language model, exports it to ONNX and records PyTorch's
figures on the evaluation split (see README.md in this folder).

    /usr/bin/python3 models/train/lm/prepare_text.py          # text -> $BITWEAVE_LM_TEXT
    /usr/bin/python3 models/train/lm/train_lm.py train        # -> $BITWEAVE_TRAIN_CKPT/lm.pt
    /usr/bin/python3 models/train/lm/train_lm.py export       # -> models/data/trained/lm-*

`train` resumes from the last periodic checkpoint if one exists for the same settings (the
batch sampler, optimiser and schedule states are saved, so a resumed run gives the same
weights as an uninterrupted one). One thread, deterministic algorithms, seeded.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import CharLM, Config, macs_per_window, parameter_count  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
TEXT_DIR = Path(os.environ.get('BITWEAVE_LM_TEXT', '/tmp/bitweave-lm-text'))
CKPT_DIR = Path(os.environ.get('BITWEAVE_TRAIN_CKPT', '/tmp/bitweave-train'))
EVAL_PATH = REPO / 'models' / 'data' / 'text' / 'austen-eval.txt'
OUT_DIR = REPO / 'models' / 'data' / 'trained'
ONNX_NAME = 'lm-austen.onnx'
LOGITS_NAME = 'lm-logits-first2.bin'
WINDOWS_NAME = 'lm-windows.bin'
METRICS_NAME = 'lm-metrics.json'

OPSET = 17
NUM_THREADS = 1
SEED = 5
CONFIG = Config()
# optimisation (AdamW, linear warm-up then cosine decay to LR_FLOOR * LR)
STEPS = 3000
BATCH = 16
LR = 2e-3
LR_FLOOR = 0.1
WARMUP = 100
BETAS = (0.9, 0.99)
WEIGHT_DECAY = 0.1  # on matrices (Linear and embedding weights, positions), not on biases/norms
CLIP = 1.0
LOG_EVERY = 50
VALID_EVERY = 250
VALID_QUICK_WINDOWS = 64
CKPT_EVERY = 250
# windows whose logits are stored bit for bit
LOGIT_WINDOWS = 2
PREFIXES = (1, 2, 16, 64, 256, 1024)
# greedy decoding reference: this prompt, continued to CONTEXT characters
GREEDY_PROMPT = 'It was a truth universally acknowledged, that'
PAD = ord(' ')

LN2 = math.log(2.0)


def setup(seed: int) -> None:
    torch.set_num_threads(NUM_THREADS)
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)


def read_tokens(path: Path) -> torch.Tensor:
    """The text's bytes as int64 token ids (token id = ASCII code)."""
    if not path.exists():
        raise SystemExit(f'{path}: missing; run models/train/lm/prepare_text.py first')
    data = path.read_bytes()
    if any(b > 127 for b in data):
        raise SystemExit(f'{path}: not ASCII; rerun prepare_text.py')
    return torch.tensor(list(data), dtype=torch.int64)


def windows(tokens: torch.Tensor, t: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The evaluation protocol: non-overlapping windows. Window w holds tokens [w T, w T + T) as
    input and [w T + 1, w T + T + 1) as targets; W = floor((N - 1) / T) windows, T W scored."""
    n = (tokens.numel() - 1) // t
    x = tokens[:n * t].reshape(n, t)
    y = tokens[1:n * t + 1].reshape(n, t)
    return x, y


def lr_at(step: int, steps: int) -> float:
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    p = (step - WARMUP) / max(1, steps - WARMUP)
    return LR * (LR_FLOOR + (1 - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * p)))


def make_optimizer(model: CharLM) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{'params': decay, 'weight_decay': WEIGHT_DECAY},
                              {'params': rest, 'weight_decay': 0.0}], lr=LR, betas=BETAS)


@torch.no_grad()
def mean_loss(model: CharLM, x: torch.Tensor, y: torch.Tensor, batch: int = 32) -> float:
    """Mean cross-entropy (nats per character) over windows, batched (training-time monitor)."""
    model.eval()
    total = 0.0
    for i in range(0, x.shape[0], batch):
        logits = model(x[i:i + batch])
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[i:i + batch].reshape(-1),
                                 reduction='sum').item()
    model.train()
    return total / y.numel()


def settings() -> dict[str, object]:
    return {'config': CONFIG.as_dict(), 'seed': SEED, 'steps': STEPS, 'batch': BATCH, 'lr': LR,
            'lr_floor': LR_FLOOR, 'warmup': WARMUP, 'betas': list(BETAS),
            'weight_decay': WEIGHT_DECAY, 'clip': CLIP}


def train(steps: int) -> None:
    global STEPS
    STEPS = steps
    setup(SEED)
    train_tokens = read_tokens(TEXT_DIR / 'train.txt')
    valid_x, valid_y = windows(read_tokens(TEXT_DIR / 'valid.txt'), CONFIG.context)
    model = CharLM(CONFIG)
    opt = make_optimizer(model)
    gen = torch.Generator().manual_seed(SEED)
    CKPT_DIR.mkdir(parents=True, exist_ok=True)
    state_path = CKPT_DIR / 'lm-state.pt'
    log: list[dict[str, float]] = []
    start, elapsed = 0, 0.0
    if state_path.exists():
        state = torch.load(state_path)
        if state['settings'] == settings():
            model.load_state_dict(state['model'])
            opt.load_state_dict(state['opt'])
            gen.set_state(state['gen'])
            start, elapsed, log = state['step'], state['elapsed'], state['log']
            print(f'resuming at step {start}', flush=True)
    print(f'{parameter_count(model)} parameters; {train_tokens.numel()} training characters; '
          f'{steps} steps of {BATCH} x {CONFIG.context}', flush=True)
    t = CONFIG.context
    model.train()
    t0 = time.time() - elapsed
    running, running_n = 0.0, 0
    for step in range(start, steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step, steps)
        off = torch.randint(0, train_tokens.numel() - t - 1, (BATCH,), generator=gen)
        idx = off[:, None] + torch.arange(t + 1)[None, :]
        seq = train_tokens[idx]
        logits = model(seq[:, :t])
        loss = F.cross_entropy(logits.reshape(-1, CONFIG.vocab), seq[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        running += loss.item()
        running_n += 1
        done = step + 1
        if done % LOG_EVERY == 0 or done == steps:
            entry: dict[str, float] = {'step': done, 'train_loss': running / running_n,
                                       'lr': lr_at(step, steps), 'seconds': time.time() - t0}
            if done % VALID_EVERY == 0 or done == steps:
                entry['valid_loss_quick'] = mean_loss(model, valid_x[:VALID_QUICK_WINDOWS],
                                                      valid_y[:VALID_QUICK_WINDOWS])
            log.append(entry)
            print('  ' + ' '.join(f'{k} {v:.4f}' if isinstance(v, float) else f'{k} {v}'
                                  for k, v in entry.items()), flush=True)
            running, running_n = 0.0, 0
        if done % CKPT_EVERY == 0 and done < steps:
            torch.save({'settings': settings(), 'model': model.state_dict(),
                        'opt': opt.state_dict(), 'gen': gen.get_state(), 'step': done,
                        'elapsed': time.time() - t0, 'log': log}, state_path)
    secs = time.time() - t0
    valid_loss = mean_loss(model, valid_x, valid_y)
    print(f'trained {steps} steps in {secs:.0f} s; validation loss {valid_loss:.4f} nats '
          f'({valid_loss / LN2:.4f} bits) per character over {valid_x.shape[0]} windows', flush=True)
    torch.save({'settings': settings(), 'model': model.state_dict(), 'log': log,
                'train_seconds': secs, 'valid_loss': valid_loss,
                'valid_windows': valid_x.shape[0]}, CKPT_DIR / 'lm.pt')


# ---------------------------------------------------------------------------------------------
# export and evaluation


def onnx_macs(path: Path) -> int:
    """MACs of every MatMul/Gemm in the exported graph from ONNX shape inference (an independent
    check of the analytic count): product of the output shape times the reduced dimension."""
    import onnx  # noqa: PLC0415
    from onnx import shape_inference  # noqa: PLC0415

    g = shape_inference.infer_shapes(onnx.load(str(path))).graph
    shapes: dict[str, list[int]] = {}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    for init in g.initializer:
        shapes[init.name] = list(init.dims)
    total = 0
    for n in g.node:
        if n.op_type in ('MatMul', 'Gemm'):
            a, out = shapes[n.input[0]], shapes[n.output[0]]
            if n.op_type == 'Gemm' and any(a.name == 'transA' and a.i for a in n.attribute):
                raise SystemExit('transA Gemm not expected')
            total += int(np.prod(out)) * a[-1]
    return total


def export_onnx(model: CharLM, path: Path) -> dict[str, int]:
    """Fixed shapes: input 'tokens' int64 [1, T], output 'logits' float32 [1, T, V]."""
    import onnx  # noqa: PLC0415

    model.eval()
    dummy = torch.zeros(1, CONFIG.context, dtype=torch.int64)
    tmp = path.with_name(path.name + '.tmp')
    torch.onnx.export(model, dummy, str(tmp), opset_version=OPSET, input_names=['tokens'],
                      output_names=['logits'], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load(str(tmp))
    onnx.checker.check_model(proto)
    os.replace(tmp, path)
    return dict(sorted(collections.Counter(n.op_type for n in proto.graph.node).items()))


@torch.no_grad()
def evaluate(model: CharLM, x: torch.Tensor, y: torch.Tensor
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each window alone ([1, T], as the ONNX graph takes it). Returns per window the sum of
    -log2 p(target) (float64), the count of top-1 hits, and the float32 logits of the first
    LOGIT_WINDOWS windows. log-softmax, log2 and sums in float64 from the fp32 logits; top-1 is
    the first index of the largest logit."""
    model.eval()
    n = x.shape[0]
    bits = np.zeros(n, dtype=np.float64)
    hits = np.zeros(n, dtype=np.int64)
    first: list[np.ndarray] = []
    for w in range(n):
        logits = model(x[w:w + 1])[0]  # float32 [T, V]
        if w < LOGIT_WINDOWS:
            first.append(logits.numpy().astype('<f4'))
        lp = torch.log_softmax(logits.double(), dim=-1)
        bits[w] = float(-lp.gather(1, y[w][:, None]).sum()) / LN2
        hits[w] = int((logits.argmax(dim=-1) == y[w]).sum())
    return bits, hits, np.stack(first)


@torch.no_grad()
def greedy(model: CharLM, prompt: str) -> str:
    """Greedy continuation of prompt up to T characters: each step feeds the text so far,
    padded with spaces to T tokens (causal: the padding does not change the logits at the real
    positions), and appends the argmax (first index on ties) of the logits at its last position."""
    t = CONFIG.context
    seq = list(prompt.encode('ascii'))
    while len(seq) < t:
        x = torch.tensor([seq + [PAD] * (t - len(seq))], dtype=torch.int64)
        seq.append(int(model(x)[0, len(seq) - 1].argmax()))
    return bytes(seq[len(prompt):]).decode('ascii')


def figures(bits: np.ndarray, hits: np.ndarray, t: int) -> dict[str, float | int]:
    chars = bits.size * t
    bpc = float(bits.sum()) / chars
    return {'windows': int(bits.size), 'chars_scored': chars, 'bits_per_char': bpc,
            'nats_per_char': bpc * LN2, 'perplexity': 2.0 ** bpc,
            'top1_correct': int(hits.sum()), 'top1_accuracy': float(hits.sum()) / chars}


def blas_library() -> str:
    """The BLAS this process loaded, as its folder and file name (torch's results depend on it:
    'openblas-openmp/libblas.so.3' is OpenBLAS, 'blas/libblas.so.3.11.0' the reference BLAS)."""
    for line in Path('/proc/self/maps').read_text().splitlines():
        lib = line.split()[-1]
        if os.path.basename(lib).startswith('libblas.so'):
            real = Path(os.path.realpath(lib))
            return f'{real.parent.name}/{real.name}'
    return 'unknown'


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_bytes(data)
    os.replace(tmp, path)


def export() -> None:
    setup(SEED)
    if not (CKPT_DIR / 'lm.pt').exists():
        raise SystemExit(f'{CKPT_DIR / "lm.pt"}: missing; run train_lm.py train first')
    ckpt = torch.load(CKPT_DIR / 'lm.pt')
    model = CharLM(CONFIG)
    model.load_state_dict(ckpt['model'])
    model.eval()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    onnx_path = OUT_DIR / ONNX_NAME
    ops = export_onnx(model, onnx_path)
    macs = macs_per_window(CONFIG)
    graph_macs = onnx_macs(onnx_path)
    if graph_macs != macs['total']:
        raise SystemExit(f'MACs: analytic {macs["total"]}, ONNX graph {graph_macs}')

    x, y = windows(read_tokens(EVAL_PATH), CONFIG.context)
    t0 = time.time()
    bits, hits, first = evaluate(model, x, y)
    eval_secs = time.time() - t0
    logits_path = OUT_DIR / LOGITS_NAME
    write_atomic(logits_path, first.tobytes())
    # per window: [sum of -log2 p over its T targets, top-1 hits], float64 little-endian
    windows_path = OUT_DIR / WINDOWS_NAME
    write_atomic(windows_path, np.stack([bits, hits.astype(np.float64)], axis=1)
                 .astype('<f8').tobytes())

    log = ckpt['log']
    last = [e['train_loss'] for e in log][-4:]  # the last 200 steps (LOG_EVERY = 50)
    c = CONFIG
    metrics = {
        'model': {
            'onnx': ONNX_NAME,
            'onnx_sha256': sha256_file(onnx_path),
            'onnx_bytes': onnx_path.stat().st_size,
            'opset': OPSET,
            'ops': ops,
            'input': f'tokens int64 [1, {c.context}] (token id = ASCII code)',
            'output': f'logits float32 [1, {c.context}, {c.vocab}]; logits[0, i] scores token i + 1',
            'architecture': (
                f'character-level causal transformer: Embedding {c.vocab}x{c.dim} + learned '
                f'positions [{c.context}, {c.dim}]; {c.layers} pre-norm blocks (LayerNorm -> '
                f'q,k,v Linear {c.dim}x{c.dim} -> {c.heads} heads of {c.dim // c.heads} -> '
                f'MatMul q k^T -> Mul 1/sqrt({c.dim // c.heads}) -> causal mask (Where, -inf '
                f'above the diagonal) -> Softmax -> MatMul v -> Linear {c.dim}x{c.dim} -> '
                f'residual; LayerNorm -> Linear {c.dim}x{c.hidden} -> GELU (erf) -> Linear '
                f'{c.hidden}x{c.dim} -> residual); LayerNorm -> Linear {c.dim}x{c.vocab}'),
            'config': c.as_dict(),
            'parameters': parameter_count(model),
            'macs_per_window': macs,
            'macs_method': ('analytic (models/train/lm/model.py macs_per_window), equal to the sum '
                            'over the MatMul nodes of the exported graph with ONNX shape inference'),
        },
        'vocabulary': ('token id = byte value (ASCII code) 0..127; the normalized text uses '
                       "only '\\n' (10) and 32..126"),
        'dataset': {
            'text': 'models/data/text/austen-eval.txt',
            'text_sha256': sha256_file(EVAL_PATH),
            'text_bytes': EVAL_PATH.stat().st_size,
            'description': "Persuasion (Jane Austen, 1818) from Debian's r-cran-janeaustenr "
                           '1.0.0, normalized (models/data/text/README.md)',
        },
        'protocol': {
            'windows': ('non-overlapping: window w (0-based) takes the bytes [128 w, 128 w + 128) '
                        'of the file as tokens and scores the predictions of bytes [128 w + 1, '
                        '128 w + 129); W = floor((N - 1) / 128) windows; every position of every '
                        'window is scored (position 0 sees only its own token)'),
            'forward': 'each window alone, batch 1, float32 (PyTorch 1.13 CPU, eval mode)',
            'bits_per_char': ('sum over scored positions of -log2 softmax(logits)[target] / '
                              'chars_scored; log-softmax, log2 and sums in float64 from the '
                              'float32 logits'),
            'perplexity': '2 ** bits_per_char (per character)',
            'top1_accuracy': 'argmax of the logits (first index on ties) == target, / chars_scored',
            'prefix': 'figures over the first W windows only (what --limit W gives)',
        },
        'eval': figures(bits, hits, c.context),
        'greedy': {
            'prompt': GREEDY_PROMPT,
            'continuation': greedy(model, GREEDY_PROMPT),
            'protocol': (f'fp32; each step feeds the text so far padded with spaces (32) to '
                         f'{c.context} tokens and appends the argmax (first index on ties) of the '
                         f'logits at its last real position; stops at {c.context} characters'),
        },
        'eval_prefix': {str(w): figures(bits[:w], hits[:w], c.context)
                        for w in PREFIXES if w <= bits.size},
        'files': {
            'logits_first2': {
                'file': LOGITS_NAME, 'sha256': sha256_file(logits_path),
                'layout': (f'float32 little-endian [{LOGIT_WINDOWS}, {c.context}, {c.vocab}] '
                           'row-major: the logits of windows 0 and 1, each run alone as [1, T]')},
            'windows': {
                'file': WINDOWS_NAME, 'sha256': sha256_file(windows_path),
                'layout': ('float64 little-endian [W, 2] row-major: per window, the sum of '
                           '-log2 p(target) over its 128 positions and its count of top-1 hits')},
        },
        'training': {
            **ckpt['settings'],
            'optimizer': ('AdamW, linear warm-up then cosine decay to lr_floor * lr, gradient '
                          'norm clipped, random windows of T + 1 training characters from a '
                          'seeded generator, cross-entropy over all T positions'),
            'train_seconds': round(ckpt['train_seconds'], 1),
            'final_train_loss_nats': sum(last) / len(last),
            'valid_loss_nats': ckpt['valid_loss'],
            'valid_bits_per_char': ckpt['valid_loss'] / LN2,
            'valid_windows': ckpt['valid_windows'],
            'log': log,
        },
        'tools': {'torch': torch.__version__, 'threads': NUM_THREADS, 'opset': OPSET,
                  'blas': blas_library()},
    }
    write_atomic(OUT_DIR / METRICS_NAME, (json.dumps(metrics, indent=2, sort_keys=True) + '\n')
                 .encode())
    e = metrics['eval']
    print(f'eval: {e["windows"]} windows, {e["chars_scored"]} chars, {e["bits_per_char"]:.6f} '
          f'bits/char, perplexity {e["perplexity"]:.6f}, top-1 {e["top1_accuracy"]:.6f}')
    print(f'onnx {onnx_path.stat().st_size} bytes, ops {ops}, MACs/window {macs["total"]}; '
          f'evaluation took {eval_secs:.0f} s')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('what', choices=['train', 'export', 'all'])
    ap.add_argument('--steps', type=int, default=STEPS)
    args = ap.parse_args()
    if args.steps < 1:
        ap.error('--steps must be at least 1')
    if args.what in ('train', 'all'):
        train(args.steps)
    if args.what in ('export', 'all'):
        export()


if __name__ == '__main__':
    main()
