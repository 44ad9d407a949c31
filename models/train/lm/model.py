"""The character-level causal transformer language model (see README.md in this folder).

Attention is written out (q, k, v projections, heads by reshape/transpose, q x k^T, scale,
causal mask, softmax, x v, merge, output projection) rather than nn.MultiheadAttention, so the
exported ONNX graph shows the two attention MatMuls of two activations the way users' exports do.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class Config:
    vocab: int = 128      # token id = ASCII code of the character (the text is '\n' + 0x20..0x7e)
    context: int = 128    # T: the exported graph takes exactly T tokens
    dim: int = 128        # model width d
    heads: int = 4        # heads of d / heads each
    layers: int = 4
    hidden: int = 512     # MLP width (4 d)
    eps: float = 1e-5     # LayerNorm epsilon

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, c: Config) -> None:
        super().__init__()
        self.c = c
        self.q = nn.Linear(c.dim, c.dim)
        self.k = nn.Linear(c.dim, c.dim)
        self.v = nn.Linear(c.dim, c.dim)
        self.o = nn.Linear(c.dim, c.dim)
        self.scale = 1.0 / math.sqrt(c.dim // c.heads)
        # True above the diagonal: key position j > query position i is masked out
        self.register_buffer('future', torch.ones(c.context, c.context, dtype=torch.bool).triu(1),
                             persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.c
        t, hd = c.context, c.dim // c.heads
        # [B, T, d] -> [B, H, T, hd] (k as [B, H, hd, T])
        q = self.q(x).reshape(-1, t, c.heads, hd).transpose(1, 2)
        k = self.k(x).reshape(-1, t, c.heads, hd).permute(0, 2, 3, 1)
        v = self.v(x).reshape(-1, t, c.heads, hd).transpose(1, 2)
        s = torch.matmul(q, k) * self.scale
        s = s.masked_fill(self.future, float('-inf'))
        a = torch.softmax(s, dim=-1)
        y = torch.matmul(a, v).transpose(1, 2).reshape(-1, t, c.dim)
        return self.o(y)


class Block(nn.Module):
    def __init__(self, c: Config) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(c.dim, eps=c.eps)
        self.attn = Attention(c)
        self.ln2 = nn.LayerNorm(c.dim, eps=c.eps)
        self.fc1 = nn.Linear(c.dim, c.hidden)
        self.fc2 = nn.Linear(c.hidden, c.dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))  # exact (erf) GELU


class CharLM(nn.Module):
    """tokens int64 [B, T] -> logits float32 [B, T, V]; logits[:, i] predicts token i + 1."""

    def __init__(self, c: Config) -> None:
        super().__init__()
        self.c = c
        self.tok = nn.Embedding(c.vocab, c.dim)
        self.pos = nn.Parameter(torch.zeros(c.context, c.dim))  # learned, added to every window
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.ln_f = nn.LayerNorm(c.dim, eps=c.eps)
        self.head = nn.Linear(c.dim, c.vocab)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """GPT-2's initialisation: N(0, 0.02), residual output projections N(0, 0.02 / sqrt(2 L))."""
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)
        nn.init.normal_(self.pos, 0.0, 0.02)
        for b in self.blocks:
            for proj in (b.attn.o, b.fc2):
                nn.init.normal_(proj.weight, 0.0, 0.02 / math.sqrt(2 * self.c.layers))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.tok(tokens) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln_f(x))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def macs_per_window(c: Config) -> dict[str, int]:
    """Multiply-accumulates of one forward pass over T tokens, analytically: the linear layers
    (q, k, v, o, fc1, fc2 per block and the head) and both attention MatMuls at their full dense
    size (T x T scores per head; the causal mask does not shrink a dense MatMul). The embedding
    lookup, LayerNorm, GELU, softmax and the residual adds are not MACs."""
    t, d = c.context, c.dim
    linear_per_block = t * (4 * d * d + 2 * d * c.hidden)
    attention_per_block = 2 * t * t * d  # q k^T: H * T * T * hd, a v: H * T * T * hd
    head = t * d * c.vocab
    return {
        'linear': c.layers * linear_per_block + head,
        'attention': c.layers * attention_per_block,
        'total': c.layers * (linear_per_block + attention_per_block) + head,
    }
