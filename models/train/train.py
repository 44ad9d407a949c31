"""Trains the Fashion-MNIST models of the zoo and exports them to ONNX.

    /usr/bin/python3 models/train/train.py {mlp|cnn|bcnn|vit|all} [--epochs N]

Each model has a training form (what is optimised) and a deploy form (the exact graph written
to ONNX, BatchNorm folded, binary weights already +-1). Accuracy and predictions recorded in
models/data/trained/metrics.json come from the deploy form, evaluated by PyTorch in float32.
See README.md in this folder for the graphs.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# ---------------------------------------------------------------------------------------------
# helpers


def fold_bn(weight: torch.Tensor, bias: torch.Tensor | None, bn: nn.BatchNorm2d | nn.BatchNorm1d
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """(w', b') with conv(x, w') + b' == bn(conv(x, w) + b) in eval mode."""
    g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    shape = (-1,) + (1,) * (weight.dim() - 1)
    w = weight * g.reshape(shape)
    b0 = bias if bias is not None else torch.zeros_like(bn.running_mean)
    b = (b0 - bn.running_mean) * g + bn.bias
    return w.detach().clone(), b.detach().clone()


def bn_affine(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) per channel with bn(x) == x * scale + shift in eval mode."""
    g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return g.detach().clone(), (bn.bias - bn.running_mean * g).detach().clone()


# ---------------------------------------------------------------------------------------------
# MLP: Flatten -> Gemm 784x256 -> Relu -> Gemm 256x128 -> Relu -> Gemm 128x10


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


MLP_ARCH = ('Flatten(784) -> Gemm 784x256 -> Relu -> Gemm 256x128 -> Relu -> Gemm 128x10')
MLP_MACS = 784 * 256 + 256 * 128 + 128 * 10


def run_mlp(epochs: int) -> None:
    seed = 1
    common.setup(seed)
    model = MLP()
    x, y = load_train()
    t0 = time.time()
    common.train(model, x, y, epochs=epochs, lr=2e-3, batch=128, seed=seed, weight_decay=1e-4)
    secs = time.time() - t0
    common.finish('mlp', model, arch=MLP_ARCH, seed=seed, epochs=epochs, train_seconds=secs,
                  macs=MLP_MACS, notes='fp32 weights; plain Gemm/Relu')


# ---------------------------------------------------------------------------------------------
# CNN: two conv blocks (BatchNorm folded into the convs at export), two fully connected layers


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class CNNDeploy(nn.Module):
    """The exported graph: Conv(+bias) -> Relu -> MaxPool, twice; Flatten; Gemm -> Relu -> Gemm."""

    def __init__(self, m: CNN) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        with torch.no_grad():
            for dst, conv, bn in ((self.conv1, m.conv1, m.bn1), (self.conv2, m.conv2, m.bn2)):
                w, b = fold_bn(conv.weight, conv.bias, bn)
                dst.weight.copy_(w)
                dst.bias.copy_(b)
        self.fc1 = m.fc1
        self.fc2 = m.fc2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


CNN_ARCH = ('Conv 1->16 3x3 pad 1 (BN folded) -> Relu -> MaxPool 2x2 -> '
            'Conv 16->32 3x3 pad 1 (BN folded) -> Relu -> MaxPool 2x2 -> Flatten(1568) -> '
            'Gemm 1568x64 -> Relu -> Gemm 64x10')
CNN_MACS = 28 * 28 * 16 * 9 + 14 * 14 * 32 * 16 * 9 + 1568 * 64 + 64 * 10


def run_cnn(epochs: int) -> None:
    seed = 2
    common.setup(seed)
    model = CNN()
    x, y = load_train()
    t0 = time.time()
    common.train(model, x, y, epochs=epochs, lr=3e-3, batch=128, seed=seed, weight_decay=1e-4)
    secs = time.time() - t0
    model.eval()
    deploy = CNNDeploy(model).eval()
    common.finish('cnn', deploy, arch=CNN_ARCH, seed=seed, epochs=epochs, train_seconds=secs,
                  macs=CNN_MACS, notes='fp32 weights; BatchNorm folded into the conv weights and biases')


# ---------------------------------------------------------------------------------------------
# Binary CNN (XNOR-Net style): first conv and last Gemm in fp32; two binary convs in between.


class SignSTE(torch.autograd.Function):
    """Forward: torch.sign (ONNX Sign: sign(0) = 0). Backward: straight-through, |x| <= 1."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def binarize_weight(w: torch.Tensor) -> torch.Tensor:
    """+1 where w >= 0, -1 elsewhere (never 0), straight-through gradient."""
    wb = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
    return w + (wb - w).detach()


class BinConv(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, 3, 3).uniform_(-0.1, 0.1))

    def alpha(self) -> torch.Tensor:
        return self.weight.abs().mean(dim=(1, 2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xb = SignSTE.apply(x)
        y = F.conv2d(xb, binarize_weight(self.weight))
        return y * self.alpha().reshape(1, -1, 1, 1)


class BCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = BinConv(32, 64)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = BinConv(64, 128)
        self.bn3 = nn.BatchNorm2d(128)
        self.fc = nn.Linear(128 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.bn1(self.conv1(x)), 2)          # 32 x 14 x 14, real-valued
        x = F.max_pool2d(self.bn2(self.conv2(x)), 2)          # 64 x 6 x 6
        x = self.bn3(self.conv3(x))                           # 128 x 4 x 4
        return self.fc(torch.flatten(x, 1))


class BCNNDeploy(nn.Module):
    """Exported graph; each binary layer is Sign -> Conv(W in {-1,+1}, no bias, no pad)
    -> Mul(alpha [1,C,1,1]) -> Mul(bn scale [1,C,1,1]) -> Add(bn shift [1,C,1,1])."""

    def __init__(self, m: BCNN) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        with torch.no_grad():
            w, b = fold_bn(m.conv1.weight, None, m.bn1)
            self.conv1.weight.copy_(w)
            self.conv1.bias.copy_(b)
        for i, (conv, bn) in ((2, (m.conv2, m.bn2)), (3, (m.conv3, m.bn3))):
            with torch.no_grad():
                wb = torch.where(conv.weight >= 0, 1.0, -1.0)
                alpha = conv.alpha().reshape(1, -1, 1, 1)
                scale, shift = bn_affine(bn)
            self.register_buffer(f'w{i}', wb.detach().clone())
            self.register_buffer(f'alpha{i}', alpha.detach().clone())
            self.register_buffer(f'scale{i}', scale.reshape(1, -1, 1, 1))
            self.register_buffer(f'shift{i}', shift.reshape(1, -1, 1, 1))
        self.fc = m.fc

    def binary(self, x: torch.Tensor, i: int) -> torch.Tensor:
        y = F.conv2d(torch.sign(x), getattr(self, f'w{i}'))
        y = y * getattr(self, f'alpha{i}')
        return y * getattr(self, f'scale{i}') + getattr(self, f'shift{i}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.binary(x, 2), 2)
        x = self.binary(x, 3)
        return self.fc(torch.flatten(x, 1))


BCNN_ARCH = ('Conv 1->32 3x3 pad 1 fp32 (BN folded) -> MaxPool 2x2 -> '
             'Sign -> binary Conv 32->64 3x3 no pad (+-1 weights) -> Mul alpha -> Mul/Add (BN) '
             '-> MaxPool 2x2 -> Sign -> binary Conv 64->128 3x3 no pad -> Mul alpha -> Mul/Add (BN) '
             '-> Flatten(2048) -> Gemm 2048x10 fp32')
BCNN_MACS_FP = 28 * 28 * 32 * 9 + 2048 * 10
BCNN_MACS_BIN = 12 * 12 * 64 * 32 * 9 + 4 * 4 * 128 * 64 * 9


def run_bcnn(epochs: int) -> None:
    seed = 3
    common.setup(seed)
    model = BCNN()
    x, y = load_train()
    latent = [model.conv2.weight, model.conv3.weight]

    def clip() -> None:
        with torch.no_grad():
            for w in latent:
                w.clamp_(-1.0, 1.0)

    t0 = time.time()
    common.train(model, x, y, epochs=epochs, lr=3e-3, batch=128, seed=seed, after_step=clip)
    secs = time.time() - t0
    model.eval()
    deploy = BCNNDeploy(model).eval()
    # How often does a Sign input equal exactly 0 (ONNX Sign gives 0 there, not +-1)?
    zeros = count_sign_zeros(deploy)
    common.finish('bcnn', deploy, arch=BCNN_ARCH, seed=seed, epochs=epochs, train_seconds=secs,
                  macs=BCNN_MACS_FP + BCNN_MACS_BIN,
                  notes=('binary layers: Sign -> Conv(+-1 weights) -> Mul(alpha = mean|W| per output '
                         'channel) -> Mul -> Add (folded BatchNorm); first conv and last Gemm fp32'),
                  extra={'macs_fp32': BCNN_MACS_FP, 'macs_binary': BCNN_MACS_BIN,
                         'sign_inputs_exactly_zero_on_test_set': zeros})


@torch.no_grad()
def count_sign_zeros(deploy: BCNNDeploy) -> int:
    test_images, _ = common.load_split('t10k')
    x = common.normalize(test_images)
    h = F.max_pool2d(deploy.conv1(x), 2)
    zeros = int((h == 0).sum())
    h = F.max_pool2d(deploy.binary(h, 2), 2)
    zeros += int((h == 0).sum())
    return zeros


# ---------------------------------------------------------------------------------------------
# Tiny ViT: 7x7 patches (16 tokens), dim 64, 4 heads, 3 pre-norm blocks, ReLU MLP, token mean


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, tokens: int) -> None:
        super().__init__()
        self.h, self.t, self.d = heads, tokens, dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.scale = 1.0 / math.sqrt(self.d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, t, d = self.h, self.t, self.d
        q = self.q(x).reshape(-1, t, h, d).transpose(1, 2)       # B,H,T,d
        k = self.k(x).reshape(-1, t, h, d).permute(0, 2, 3, 1)   # B,H,d,T
        v = self.v(x).reshape(-1, t, h, d).transpose(1, 2)       # B,H,T,d
        a = torch.softmax(torch.matmul(q, k) * self.scale, dim=-1)
        y = torch.matmul(a, v).transpose(1, 2).reshape(-1, t, h * d)
        return self.o(y)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, tokens: int, hidden: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, tokens)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.relu(self.fc1(self.ln2(x))))


VIT = dict(patch=7, dim=64, heads=4, depth=3, hidden=128)


class ViT(nn.Module):
    def __init__(self, patch: int, dim: int, heads: int, depth: int, hidden: int) -> None:
        super().__init__()
        self.grid = 28 // patch
        self.tokens = self.grid ** 2
        self.dim = dim
        self.embed = nn.Conv2d(1, dim, patch, stride=patch)
        self.pos = nn.Parameter(torch.randn(1, self.tokens, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, self.tokens, hidden) for _ in range(depth))
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.embed(x).reshape(-1, self.dim, self.tokens).transpose(1, 2) + self.pos
        for b in self.blocks:
            x = b(x)
        # mean over the tokens, written as a global average pool over the patch grid
        # (Transpose -> Reshape [B, D, g, g] -> GlobalAveragePool -> Flatten): basic ONNX ops
        x = self.ln(x).transpose(1, 2).reshape(-1, self.dim, self.grid, self.grid)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.head(x)


def vit_macs(patch: int, dim: int, heads: int, depth: int, hidden: int) -> int:
    t = (28 // patch) ** 2
    per_block = 4 * t * dim * dim + 2 * t * t * dim + 2 * t * dim * hidden
    return t * patch * patch * dim + depth * per_block + dim * 10


def run_vit(epochs: int) -> None:
    seed = 4
    common.setup(seed)
    model = ViT(**VIT)
    x, y = load_train()
    t0 = time.time()
    common.train(model, x, y, epochs=epochs, lr=2e-3, batch=128, seed=seed, weight_decay=0.05)
    secs = time.time() - t0
    p = VIT
    arch = (f"Conv 1->{p['dim']} {p['patch']}x{p['patch']} stride {p['patch']} (patch embedding, "
            f"{(28 // p['patch']) ** 2} tokens) -> Reshape -> Transpose -> Add(pos) -> "
            f"{p['depth']} x [x + Attn(LN(x)); x + MLP(LN(x))] with {p['heads']} heads of "
            f"{p['dim'] // p['heads']}, MLP {p['dim']}->{p['hidden']}->Relu->{p['dim']} -> LN -> "
            f"Transpose -> Reshape [1,{p['dim']},{28 // p['patch']},{28 // p['patch']}] -> "
            f"GlobalAveragePool (mean over tokens) -> Flatten -> Gemm {p['dim']}x10")
    common.finish('vit', model, arch=arch, seed=seed, epochs=epochs, train_seconds=secs,
                  macs=vit_macs(**VIT),
                  notes=('pre-norm ViT; attention: MatMul(q [1,H,T,d], kT [1,H,d,T]) -> Mul(1/sqrt(d)) '
                         '-> Softmax(axis -1) -> MatMul(., v); LayerNormalization (opset 17) op; '
                         'ReLU (not GELU) in the MLP'),
                  extra={'config': VIT})


# ---------------------------------------------------------------------------------------------

_TRAIN: tuple[torch.Tensor, torch.Tensor] | None = None


def load_train() -> tuple[torch.Tensor, torch.Tensor]:
    global _TRAIN
    if _TRAIN is None:
        images, labels = common.load_split('train')
        _TRAIN = (common.normalize(images), torch.from_numpy(labels.astype('int64')))
    return _TRAIN


RUNS = {'mlp': (run_mlp, 8), 'cnn': (run_cnn, 10), 'vit': (run_vit, 8), 'bcnn': (run_bcnn, 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('model', choices=[*RUNS, 'all'])
    ap.add_argument('--epochs', type=int, default=None)
    args = ap.parse_args()
    names = list(RUNS) if args.model == 'all' else [args.model]
    for name in names:
        fn, default_epochs = RUNS[name]
        print(f'== {name}', flush=True)
        fn(args.epochs or default_epochs)


if __name__ == '__main__':
    main()
