/**
 * The built-in model zoo: name -> builder with named parameters.
 *
 * A model spec is `NAME` or `NAME:key=value,key=value`, e.g. `bert_base:seq=384,batch=2`,
 * `gpt2:mode=decode,seq=511`, `llama_block:dim=2048,heads=16,kv_heads=4,hidden=5632`.
 */
import { InputError, unknownName } from '../../sim/errors.ts';
import type { Graph } from '../graph.ts';
import type { BuildOptions } from './builder.ts';
import { alexnet, binaryResnet18, efficientnetB0, mobilenetV2, resnet18, resnet50, vgg16, type CnnParams } from './cnn.ts';
import { bert, gpt2, llamaBlocks, vit } from './transformers.ts';

export type ZooKind = 'cnn' | 'bnn' | 'encoder' | 'decoder';
export type ParamValue = number | string;

export interface ZooParam {
  readonly name: string;
  readonly default: ParamValue;
  /** allowed values of a string parameter */
  readonly choices?: readonly string[];
  readonly describe: string;
}

export interface ZooEntry {
  readonly name: string;
  readonly kind: ZooKind;
  readonly description: string;
  readonly params: readonly ZooParam[];
  build(p: Readonly<Record<string, ParamValue>>, o: BuildOptions): Graph;
}

const batch: ZooParam = { name: 'batch', default: 1, describe: 'batch size' };
const resolution: ZooParam = { name: 'resolution', default: 224, describe: 'input height and width' };
const classes: ZooParam = { name: 'classes', default: 1000, describe: 'classifier outputs' };
const cnnParams = [batch, resolution, classes];
const num = (p: Readonly<Record<string, ParamValue>>, k: string) => p[k] as number;
const cnn = (p: Readonly<Record<string, ParamValue>>): CnnParams => ({ batch: num(p, 'batch'), resolution: num(p, 'resolution'), classes: num(p, 'classes') });
const mode: ZooParam = { name: 'mode', default: 'prefill', choices: ['prefill', 'decode'], describe: 'prefill a prompt, or decode one token with a KV cache' };

function cnnEntry(name: string, kind: ZooKind, description: string, f: (p: CnnParams, o: BuildOptions) => Graph): ZooEntry {
  return { name, kind, description, params: cnnParams, build: (p, o) => f(cnn(p), o) };
}

const ENTRIES: readonly ZooEntry[] = [
  cnnEntry('alexnet', 'cnn', 'AlexNet (torchvision layout)', alexnet),
  cnnEntry('vgg16', 'cnn', 'VGG-16 without batch norm (torchvision)', vgg16),
  cnnEntry('resnet18', 'cnn', 'ResNet-18 (torchvision)', resnet18),
  cnnEntry('resnet50', 'cnn', 'ResNet-50 v1.5 (torchvision)', resnet50),
  cnnEntry('mobilenet_v2', 'cnn', 'MobileNetV2 1.0: depthwise-separable inverted residuals, ReLU6 (torchvision)', mobilenetV2),
  cnnEntry('efficientnet_b0', 'cnn', 'EfficientNet-B0: MBConv with squeeze-excitation, SiLU (torchvision)', efficientnetB0),
  cnnEntry('binary_resnet18', 'bnn', 'ResNet-18 with binary 3x3 block convs (sign activations, per-channel scale); stem, downsample and fc in full precision', binaryResnet18),
  {
    name: 'bert_base', kind: 'encoder', description: 'BERT-base encoder with pooler (HF BertModel)',
    params: [batch, { name: 'seq', default: 128, describe: 'sequence length (<= 512)' }],
    build: (p, o) => bert({ batch: num(p, 'batch'), seq: num(p, 'seq'), layers: 12, dim: 768, heads: 12, ffn: 3072, vocab: 30522 }, o),
  },
  {
    name: 'vit_b16', kind: 'encoder', description: 'ViT-B/16 image classifier (torchvision vit_b_16)',
    params: cnnParams,
    build: (p, o) => vit({ ...cnn(p), patch: 16, layers: 12, dim: 768, heads: 12, mlp: 3072 }, o, 'vit_b16'),
  },
  {
    name: 'deit_tiny', kind: 'encoder', description: 'DeiT-Tiny/16 (timm deit_tiny_patch16_224)',
    params: cnnParams,
    build: (p, o) => vit({ ...cnn(p), patch: 16, layers: 12, dim: 192, heads: 3, mlp: 768 }, o, 'deit_tiny'),
  },
  {
    name: 'gpt2', kind: 'decoder', description: 'GPT-2 small (124M) with tied lm head: prefill of seq tokens, or decode of one token after seq cached',
    params: [batch, { name: 'seq', default: 128, describe: 'prompt length (prefill) or cached tokens (decode)' }, mode],
    build: (p, o) => gpt2({
      batch: num(p, 'batch'), seq: num(p, 'seq'), mode: p.mode as 'prefill' | 'decode',
      layers: 12, dim: 768, heads: 12, vocab: 50257, positions: 1024,
    }, o),
  },
  {
    name: 'llama_block', kind: 'decoder',
    description: 'Llama-style decoder blocks: RMSNorm, RoPE, grouped-query attention, SwiGLU (default: one Llama-2-7B layer)',
    params: [
      batch, { name: 'seq', default: 128, describe: 'prompt length (prefill) or cached tokens (decode)' }, mode,
      { name: 'layers', default: 1, describe: 'decoder blocks' },
      { name: 'dim', default: 4096, describe: 'model width' },
      { name: 'heads', default: 32, describe: 'attention heads' },
      { name: 'kv_heads', default: 32, describe: 'key/value heads (grouped-query attention when fewer)' },
      { name: 'hidden', default: 11008, describe: 'SwiGLU hidden width' },
    ],
    build: (p, o) => llamaBlocks({
      batch: num(p, 'batch'), seq: num(p, 'seq'), mode: p.mode as 'prefill' | 'decode', layers: num(p, 'layers'),
      dim: num(p, 'dim'), heads: num(p, 'heads'), kvHeads: num(p, 'kv_heads'), hidden: num(p, 'hidden'), ropeBase: 10000,
    }, o),
  },
];

export function zooNames(): string[] {
  return ENTRIES.map((e) => e.name);
}

export function zooEntries(): readonly ZooEntry[] {
  return ENTRIES;
}

export function getZooEntry(name: string): ZooEntry {
  const e = ENTRIES.find((x) => x.name === name.trim().toLowerCase());
  if (!e) throw unknownName('zoo model', name, zooNames());
  return e;
}

export function isZooSpec(spec: string): boolean {
  const name = spec.split(':')[0].trim().toLowerCase();
  return ENTRIES.some((e) => e.name === name);
}

export interface ZooSpec {
  readonly entry: ZooEntry;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** `NAME[:k=v,k=v]` -> entry and full parameter set (defaults filled in, values checked). */
export function parseZooSpec(spec: string): ZooSpec {
  const colon = spec.indexOf(':');
  const entry = getZooEntry(colon < 0 ? spec : spec.slice(0, colon));
  const params: Record<string, ParamValue> = {};
  for (const p of entry.params) params[p.name] = p.default;
  if (colon >= 0) {
    for (const part of spec.slice(colon + 1).split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) throw new InputError(`model '${spec}': expected key=value, got '${part}'`);
      const key = part.slice(0, eq).trim().toLowerCase().replace(/-/g, '_');
      const text = part.slice(eq + 1).trim();
      const def = entry.params.find((p) => p.name === key);
      if (!def) {
        throw new InputError(`model '${spec}': ${entry.name} has no parameter '${key}'; its parameters: ${entry.params.map((p) => p.name).join(', ')}`);
      }
      if (def.choices) {
        if (!def.choices.includes(text)) throw new InputError(`model '${spec}': ${key} must be one of ${def.choices.join(', ')}, got '${text}'`);
        params[key] = text;
      } else {
        if (!/^\d+$/.test(text) || Number(text) < 1) throw new InputError(`model '${spec}': ${key} must be a positive integer, got '${text}'`);
        params[key] = Number(text);
      }
    }
  }
  return { entry, params };
}

/** Builds a zoo model from its spec (shapes only, or with random weights). */
export function buildZooModel(spec: string, o: BuildOptions = {}): Graph {
  const { entry, params } = parseZooSpec(spec);
  return entry.build(params, o);
}
