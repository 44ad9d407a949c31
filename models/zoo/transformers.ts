/**
 * Transformers of the zoo, laid out as their reference implementations (HF BERT, torchvision
 * ViT, timm DeiT, HF GPT-2, Llama) so that parameter counts match theirs. Attention is one
 * `attention` node (Q K^T, softmax, A V per head) on projected q, k, v; padding masks are
 * not modelled (every token is valid).
 */
import { InputError } from '../../sim/errors.ts';
import { GraphBuilder, type BuildOptions } from './builder.ts';
import type { Graph } from '../graph.ts';

export interface BertParams {
  readonly batch: number;
  readonly seq: number;
  readonly layers: number;
  readonly dim: number;
  readonly heads: number;
  readonly ffn: number;
  readonly vocab: number;
}

/** BERT-base (HF BertModel with its pooler): post-LN encoder, GELU, separate q/k/v projections */
export function bert(p: BertParams, o: BuildOptions, name = 'bert_base'): Graph {
  if (p.seq > 512) throw new InputError(`${name}: seq ${p.seq} exceeds the 512 position embeddings`);
  const b = new GraphBuilder(name, o);
  const ids = b.input('input_ids', [p.batch, p.seq], 'int64');
  const tt = b.input('token_type_ids', [p.batch, p.seq], 'int64');
  const we = b.embedding(b.embeddingTable('embeddings.word', p.vocab, p.dim), ids, 'embeddings.word_lookup');
  const pos = b.slice(b.embeddingTable('embeddings.position', 512, p.dim), 'embeddings.position_slice', 0, 0, p.seq);
  const te = b.embedding(b.embeddingTable('embeddings.token_type', 2, p.dim), tt, 'embeddings.token_type_lookup');
  let x = b.binary('add', b.binary('add', we, pos, 'embeddings.add_pos'), te, 'embeddings.add_type');
  x = b.layernorm(x, 'embeddings.ln', 1e-12);
  for (let l = 0; l < p.layers; l++) {
    const n = `layer.${l}`;
    const q = b.linear(x, `${n}.attn.q`, p.dim);
    const k = b.linear(x, `${n}.attn.k`, p.dim);
    const v = b.linear(x, `${n}.attn.v`, p.dim);
    const a = b.attention(q, k, v, `${n}.attn`, p.heads);
    const ao = b.linear(a, `${n}.attn.out`, p.dim);
    x = b.layernorm(b.binary('add', ao, x, `${n}.attn.residual`), `${n}.attn.ln`, 1e-12);
    const h = b.unary('gelu', b.linear(x, `${n}.ffn.fc1`, p.ffn), `${n}.ffn.gelu`);
    const f = b.linear(h, `${n}.ffn.fc2`, p.dim);
    x = b.layernorm(b.binary('add', f, x, `${n}.ffn.residual`), `${n}.ffn.ln`, 1e-12);
  }
  const cls = b.reshape(b.slice(x, 'pooler.cls', 1, 0, 1), 'pooler.cls_flat', [p.batch, p.dim]);
  const pooled = b.unary('tanh', b.linear(cls, 'pooler.dense', p.dim), 'pooler.tanh');
  b.output(x, pooled);
  return b.g;
}

/** pre-LN encoder block with a fused qkv projection (torchvision ViT / timm / GPT-2 layout) */
function preLnBlock(
  b: GraphBuilder, x: string, n: string, dim: number, heads: number, mlp: number, eps: number,
  kv?: { pastK: string; pastV: string; causal: boolean },
): { x: string; k: string; v: string } {
  const h = b.layernorm(x, `${n}.ln1`, eps);
  const qkv = b.linear(h, `${n}.attn.qkv`, 3 * dim);
  const q = b.slice(qkv, `${n}.attn.q`, -1, 0, dim);
  let k = b.slice(qkv, `${n}.attn.k`, -1, dim, 2 * dim);
  let v = b.slice(qkv, `${n}.attn.v`, -1, 2 * dim, 3 * dim);
  if (kv && kv.pastK !== '') {
    k = b.concat([kv.pastK, k], `${n}.attn.k_cache`, 1);
    v = b.concat([kv.pastV, v], `${n}.attn.v_cache`, 1);
  }
  const a = b.attention(q, k, v, `${n}.attn`, heads, { causal: kv?.causal ?? false });
  x = b.binary('add', x, b.linear(a, `${n}.attn.proj`, dim), `${n}.attn.residual`);
  const m = b.unary('gelu', b.linear(b.layernorm(x, `${n}.ln2`, eps), `${n}.mlp.fc1`, mlp), `${n}.mlp.gelu`);
  x = b.binary('add', x, b.linear(m, `${n}.mlp.fc2`, dim), `${n}.mlp.residual`);
  return { x, k, v };
}

export interface VitParams {
  readonly batch: number;
  readonly resolution: number;
  readonly patch: number;
  readonly layers: number;
  readonly dim: number;
  readonly heads: number;
  readonly mlp: number;
  readonly classes: number;
}

/** ViT (torchvision vit_b_16; DeiT-tiny is the same layout, timm's deit_tiny_patch16_224) */
export function vit(p: VitParams, o: BuildOptions, name: string): Graph {
  if (p.resolution % p.patch !== 0) throw new InputError(`${name}: resolution ${p.resolution} not a multiple of the patch ${p.patch}`);
  const b = new GraphBuilder(name, o);
  const img = b.input('input', [p.batch, 3, p.resolution, p.resolution]);
  const g = p.resolution / p.patch;
  const tokens = g * g + 1;
  let x = b.conv(img, 'patch_embed', { out: p.dim, k: p.patch, stride: p.patch, pad: 0, bias: true });
  x = b.transpose(b.reshape(x, 'patch_embed.flatten', [p.batch, p.dim, g * g]), 'patch_embed.transpose', [0, 2, 1]);
  const cls = b.expand(b.param('class_token', [1, 1, p.dim], { kind: 'normal', std: 0.02 }), 'class_token.expand', [p.batch, 1, p.dim]);
  x = b.concat([cls, x], 'tokens', 1);
  x = b.binary('add', x, b.param('pos_embedding', [1, tokens, p.dim], { kind: 'normal', std: 0.02 }), 'add_pos');
  for (let l = 0; l < p.layers; l++) x = preLnBlock(b, x, `blocks.${l}`, p.dim, p.heads, p.mlp, 1e-6).x;
  x = b.layernorm(x, 'norm', 1e-6);
  x = b.reshape(b.slice(x, 'cls_token_out', 1, 0, 1), 'cls_flat', [p.batch, p.dim]);
  b.output(b.linear(x, 'head', p.classes));
  return b.g;
}

export interface Gpt2Params {
  readonly batch: number;
  /** prefill: prompt length; decode: tokens already in the KV cache */
  readonly seq: number;
  readonly mode: 'prefill' | 'decode';
  readonly layers: number;
  readonly dim: number;
  readonly heads: number;
  readonly vocab: number;
  readonly positions: number;
}

/**
 * GPT-2 (HF GPT2LMHeadModel; the lm head is tied to the token embedding and counts once).
 * prefill: `seq` prompt tokens, causal attention, logits for every position.
 * decode: one new token after `seq` cached tokens; each layer's past k/v are inputs, the
 * concatenated cache (`layer.N.attn.k_cache` / `v_cache`) is an output.
 */
export function gpt2(p: Gpt2Params, o: BuildOptions, name = 'gpt2'): Graph {
  const decode = p.mode === 'decode';
  const newTokens = decode ? 1 : p.seq;
  const past = decode ? p.seq : 0;
  if (past + newTokens > p.positions) throw new InputError(`${name}: ${past + newTokens} positions exceed the model's ${p.positions}`);
  const b = new GraphBuilder(name, o);
  const ids = b.input('input_ids', [p.batch, newTokens], 'int64');
  const wte = b.embeddingTable('wte', p.vocab, p.dim);
  const pos = b.slice(b.embeddingTable('wpe', p.positions, p.dim), 'wpe.slice', 0, past, past + newTokens);
  let x = b.binary('add', b.embedding(wte, ids, 'wte.lookup'), pos, 'embed.add');
  const caches: string[] = [];
  for (let l = 0; l < p.layers; l++) {
    const n = `h.${l}`;
    const kv = decode
      ? { pastK: b.input(`past.${l}.k`, [p.batch, past, p.dim]), pastV: b.input(`past.${l}.v`, [p.batch, past, p.dim]), causal: true }
      : { pastK: '', pastV: '', causal: true };
    const r = preLnBlock(b, x, n, p.dim, p.heads, 4 * p.dim, 1e-5, kv);
    x = r.x;
    if (decode) caches.push(r.k, r.v);
  }
  x = b.layernorm(x, 'ln_f', 1e-5);
  b.output(b.linear(x, 'lm_head', p.vocab, { bias: false, weight: wte }), ...caches);
  return b.g;
}

export interface LlamaParams {
  readonly batch: number;
  readonly seq: number;
  readonly mode: 'prefill' | 'decode';
  readonly layers: number;
  readonly dim: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly hidden: number;
  readonly ropeBase: number;
}

/**
 * Llama-style decoder blocks (no embedding or head): RMSNorm, rotary q/k, grouped-query
 * attention, SwiGLU MLP, no biases. Input and output [B, S, dim]; decode takes one token
 * and `seq` cached tokens per layer, like gpt2.
 */
export function llamaBlocks(p: LlamaParams, o: BuildOptions, name = 'llama_block'): Graph {
  if (p.dim % p.heads !== 0) throw new InputError(`${name}: dim ${p.dim} not divisible by ${p.heads} heads`);
  if (p.heads % p.kvHeads !== 0) throw new InputError(`${name}: ${p.heads} heads not divisible by ${p.kvHeads} kv heads`);
  const decode = p.mode === 'decode';
  const newTokens = decode ? 1 : p.seq;
  const past = decode ? p.seq : 0;
  const dh = p.dim / p.heads;
  const b = new GraphBuilder(name, o);
  let x = b.input('hidden_in', [p.batch, newTokens, p.dim]);
  const caches: string[] = [];
  for (let l = 0; l < p.layers; l++) {
    const n = `layers.${l}`;
    const h = b.rmsnorm(x, `${n}.attn_norm`);
    let q = b.linear(h, `${n}.attn.wq`, p.dim, { bias: false });
    let k = b.linear(h, `${n}.attn.wk`, p.kvHeads * dh, { bias: false });
    let v = b.linear(h, `${n}.attn.wv`, p.kvHeads * dh, { bias: false });
    q = b.add({ op: 'rope', name: `${n}.attn.rope_q`, inputs: [q], output: `${n}.attn.rope_q`, heads: p.heads, offset: past, base: p.ropeBase });
    k = b.add({ op: 'rope', name: `${n}.attn.rope_k`, inputs: [k], output: `${n}.attn.rope_k`, heads: p.kvHeads, offset: past, base: p.ropeBase });
    if (decode) {
      k = b.concat([b.input(`past.${l}.k`, [p.batch, past, p.kvHeads * dh]), k], `${n}.attn.k_cache`, 1);
      v = b.concat([b.input(`past.${l}.v`, [p.batch, past, p.kvHeads * dh]), v], `${n}.attn.v_cache`, 1);
      caches.push(k, v);
    }
    const a = b.attention(q, k, v, `${n}.attn`, p.heads, { kvHeads: p.kvHeads, causal: true });
    x = b.binary('add', x, b.linear(a, `${n}.attn.wo`, p.dim, { bias: false }), `${n}.attn.residual`);
    const m = b.rmsnorm(x, `${n}.ffn_norm`);
    const gate = b.unary('silu', b.linear(m, `${n}.ffn.w1`, p.hidden, { bias: false }), `${n}.ffn.silu`);
    const up = b.linear(m, `${n}.ffn.w3`, p.hidden, { bias: false });
    const prod = b.binary('mul', gate, up, `${n}.ffn.mul`);
    x = b.binary('add', x, b.linear(prod, `${n}.ffn.w2`, p.dim, { bias: false }), `${n}.ffn.residual`);
  }
  b.output(x, ...caches);
  return b.g;
}
