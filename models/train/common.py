"""Shared pieces of the Fashion-MNIST training scripts (see README.md in this folder).

Run with Debian's PyTorch (python3-torch 1.13, CPU) and onnx (python3-onnx 1.12):

    /usr/bin/python3 models/train/train.py mlp   # or cnn, bcnn, vit, all

Everything is seeded; torch.use_deterministic_algorithms(True) is on, and 2 threads are used.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import struct
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn as nn

REPO = Path(__file__).resolve().parents[2]
TRAIN_DIR = Path(os.environ.get('FMNIST_TRAIN_DIR', '/usr/share/datasets/fashion-mnist'))
TEST_DIR = REPO / 'models' / 'data' / 'fmnist'
OUT_DIR = REPO / 'models' / 'data' / 'trained'
# deploy-form state dicts (not committed), to re-export without retraining
CKPT_DIR = Path(os.environ.get('BITWEAVE_TRAIN_CKPT', '/tmp/bitweave-train'))

# Normalization every model expects (models/data/fmnist.ts exports the same numbers):
#   x = pixel / 255 ; x = (x - MEAN) / STD, every step in float32.
# MEAN and STD are the training set's pixel mean and standard deviation, rounded to 4 digits.
MEAN = 0.2860
STD = 0.3530

OPSET = 17
NUM_THREADS = 2


def setup(seed: int) -> None:
    torch.set_num_threads(NUM_THREADS)
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)


def read_idx(path: Path, magic: int, dims: int) -> np.ndarray:
    with gzip.open(path, 'rb') as f:
        data = f.read()
    got_magic = struct.unpack('>I', data[:4])[0]
    if got_magic != magic:
        raise ValueError(f'{path}: magic {got_magic:#x}, expected {magic:#x}')
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f'{path}: {body.size} bytes of data, expected {int(np.prod(shape))}')
    return body.reshape(shape)


def load_split(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """kind 'train' (from the Debian package) or 't10k' (the copy committed in the repo)."""
    folder = TRAIN_DIR if kind == 'train' else TEST_DIR
    images = read_idx(folder / f'{kind}-images-idx3-ubyte.gz', 0x00000803, 3)
    labels = read_idx(folder / f'{kind}-labels-idx1-ubyte.gz', 0x00000801, 1)
    return images, labels


def normalize(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28), bit-identical to models/data/fmnist.ts."""
    x = images.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(np.ascontiguousarray(x[:, None, :, :]))


def param_count(model: nn.Module) -> int:
    """Weights the exported graph holds: parameters plus buffers (the deploy forms keep
    binary weights, scales and folded BatchNorm affine terms as buffers)."""
    return sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """(predicted labels uint8, logits float32) on x, in eval mode."""
    model.eval()
    logits = []
    for i in range(0, x.shape[0], batch):
        logits.append(model(x[i:i + batch]))
    out = torch.cat(logits).numpy().astype(np.float32)
    return out.argmax(axis=1).astype(np.uint8), out


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,
          batch: int, seed: int, weight_decay: float = 0.0,
          after_step: Callable[[], None] | None = None, log: Callable[[str], None] = print) -> None:
    """AdamW with a one-cycle schedule; shuffling from a seeded generator."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = (x.shape[0] + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(x.shape[0], generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if after_step is not None:
                after_step()
            loss_sum += loss.item() * xb.shape[0]
            correct += int((out.argmax(1) == yb).sum())
            total += xb.shape[0]
        log(f'  epoch {epoch + 1}/{epochs}: loss {loss_sum / total:.4f} '
            f'train acc {correct / total:.4f} ({time.time() - t0:.1f} s)')


def export_onnx(model: nn.Module, name: str) -> tuple[Path, list[str]]:
    """Exports with a fixed batch of 1: input 'input' float32 [1,1,28,28], output 'logits' [1,10]."""
    import onnx  # noqa: PLC0415 (only needed here)

    model.eval()
    path = OUT_DIR / f'{name}.onnx'
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, str(path), opset_version=OPSET, input_names=['input'],
                      output_names=['logits'], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    ops = sorted({n.op_type for n in proto.graph.node})
    return path, ops


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(name: str, entry: dict) -> None:
    """Merges one model's entry into metrics.json (keys sorted, stable output)."""
    path = OUT_DIR / 'metrics.json'
    metrics = json.loads(path.read_text()) if path.exists() else {}
    metrics.setdefault('models', {})[name] = entry
    metrics['dataset'] = {
        'name': 'fashion-mnist test set (t10k), 10000 images',
        'normalization': {'scale': '1/255', 'mean': MEAN, 'std': STD,
                          'formula': '((pixel / 255) - mean) / std, each step in float32'},
        'input': 'float32 [1, 1, 28, 28] (NCHW, fixed batch of 1)',
    }
    metrics['tools'] = {'torch': torch.__version__, 'opset': OPSET, 'threads': NUM_THREADS}
    path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + '\n')


def finish(name: str, deploy: nn.Module, *, arch: str, seed: int, epochs: int,
           train_seconds: float, macs: int, notes: str, log: Callable[[str], None] = print,
           extra: dict | None = None) -> None:
    """Evaluates the deploy-form model (the graph the ONNX file holds), exports, records."""
    CKPT_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(deploy.state_dict(), CKPT_DIR / f'{name}_deploy.pt')
    test_images, test_labels = load_split('t10k')
    xt = normalize(test_images)
    preds, logits = predict(deploy, xt)
    acc = float((preds == test_labels).mean())
    path, ops = export_onnx(deploy, name)
    pred_path = OUT_DIR / f'predictions_{name}.bin'
    pred_path.write_bytes(preds.tobytes())
    # logits of the first 100 test images, float32 little-endian, row-major [100, 10]
    logit_path = OUT_DIR / f'logits100_{name}.bin'
    logit_path.write_bytes(logits[:100].astype('<f4').tobytes())
    entry = {
        'onnx': path.name,
        'onnx_sha256': sha256_bytes(path.read_bytes()),
        'onnx_bytes': path.stat().st_size,
        'ops': ops,
        'architecture': arch,
        'parameters': param_count(deploy),
        'macs_per_image': macs,
        'test_accuracy_fp32': acc,
        'test_correct': int((preds == test_labels).sum()),
        'predictions': pred_path.name,
        'predictions_sha256': sha256_bytes(preds.tobytes()),
        'logits_first100': logit_path.name,
        'epochs': epochs,
        'seed': seed,
        'train_seconds': round(train_seconds, 1),
        'notes': notes,
    }
    if extra:
        entry.update(extra)
    record(name, entry)
    log(f'{name}: test accuracy {acc:.4f}, {param_count(deploy)} parameters, ops {ops}, '
        f'train {train_seconds:.0f} s, onnx {path.stat().st_size} bytes')
