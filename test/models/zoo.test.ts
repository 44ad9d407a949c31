/**
 * Zoo parameter and MAC counts against published figures (arithmetic only, no weights).
 *
 * Conventions (models/graph.ts): params = every learned tensor once (biases, BN gamma/beta,
 * LN gamma/beta, embeddings, tokens; not BN running statistics; tied weights once), as
 * PyTorch's `sum(p.numel() for p in model.parameters())` counts them. MACs = conv, linear,
 * matmul and attention's Q K^T and A V multiply-accumulates, batch 1.
 */
import { describe, expect, it } from 'vitest';
import { paramCount, type Graph } from '../../models/graph.ts';
import { graphMacs } from '../../models/operators.ts';
import { lowerGraph } from '../../models/lower.ts';
import { buildZooModel, parseZooSpec, zooNames } from '../../models/zoo/index.ts';
import { InputError } from '../../sim/errors.ts';

interface Published {
  spec: string;
  params: number;
  /** published GMACs and the relative tolerance the check allows */
  gmacs: number;
  gmacsTol: number;
  source: string;
}

const PUBLISHED: Published[] = [
  { spec: 'alexnet', params: 61_100_840, gmacs: 0.714, gmacsTol: 0.005, source: 'torchvision AlexNet_Weights: 61,100,840 params, 0.71 GFLOPS' },
  { spec: 'vgg16', params: 138_357_544, gmacs: 15.47, gmacsTol: 0.005, source: 'torchvision VGG16_Weights: 138,357,544 params, 15.47 GFLOPS' },
  { spec: 'resnet18', params: 11_689_512, gmacs: 1.814, gmacsTol: 0.005, source: 'torchvision ResNet18_Weights: 11,689,512 params, 1.81 GFLOPS' },
  { spec: 'resnet50', params: 25_557_032, gmacs: 4.089, gmacsTol: 0.005, source: 'torchvision ResNet50_Weights: 25,557,032 params, 4.09 GFLOPS' },
  { spec: 'mobilenet_v2', params: 3_504_872, gmacs: 0.30, gmacsTol: 0.02, source: 'torchvision MobileNet_V2_Weights: 3,504,872 params, 0.30 GFLOPS' },
  { spec: 'efficientnet_b0', params: 5_288_548, gmacs: 0.39, gmacsTol: 0.02, source: 'torchvision EfficientNet_B0_Weights: 5,288,548 params, 0.39 GFLOPS' },
  { spec: 'vit_b16', params: 86_567_656, gmacs: 17.56, gmacsTol: 0.005, source: 'torchvision ViT_B_16_Weights: 86,567,656 params, 17.56 GFLOPS' },
  { spec: 'deit_tiny', params: 5_717_416, gmacs: 1.26, gmacsTol: 0.01, source: 'timm deit_tiny_patch16_224: 5.72 M params, 1.26 GMACs' },
  { spec: 'bert_base', params: 109_482_240, gmacs: 11.17, gmacsTol: 0.005, source: 'HF bert-base-uncased BertModel (with pooler): 109,482,240 params; 11.17 GMACs at seq 128 (arithmetic)' },
  { spec: 'gpt2', params: 124_439_808, gmacs: 16.11, gmacsTol: 0.005, source: 'HF gpt2 GPT2LMHeadModel (tied head): 124,439,808 params; 16.11 GMACs prefill of 128 incl. the lm head (arithmetic)' },
];

const built = new Map<string, Graph>();
function model(spec: string): Graph {
  let g = built.get(spec);
  if (!g) {
    g = buildZooModel(spec);
    built.set(spec, g);
  }
  return g;
}

describe('zoo counts against published figures', () => {
  for (const p of PUBLISHED) {
    it(`${p.spec}: ${p.source}`, () => {
      const g = model(p.spec);
      expect(paramCount(g)).toBe(p.params);
      const gm = graphMacs(g) / 1e9;
      expect(Math.abs(gm - p.gmacs) / p.gmacs).toBeLessThan(p.gmacsTol);
    });
  }

  it('exact MACs of the classic CNNs (conv + fc only)', () => {
    expect(graphMacs(model('resnet50'))).toBe(4_089_184_256);
    expect(graphMacs(model('resnet18'))).toBe(1_814_073_344);
    expect(graphMacs(model('vgg16'))).toBe(15_470_264_320);
  });

  it('binary resnet18: resnet18 plus one scale per output channel of each binary conv', () => {
    const g = model('binary_resnet18');
    const binary = g.nodes.filter((n) => n.op === 'binary_conv2d');
    expect(binary).toHaveLength(16);
    const scales = binary.reduce((s, n) => s + g.tensors.get(n.inputs[1])!.shape[0], 0);
    expect(paramCount(g)).toBe(11_689_512 + scales);
    expect(graphMacs(g)).toBe(graphMacs(model('resnet18')));
    // first and last layers stay in full precision
    expect(g.nodes.find((n) => n.name === 'stem.conv')!.op).toBe('conv2d');
    expect(g.nodes.find((n) => n.name === 'fc')!.op).toBe('linear');
  });

  it('llama block: one Llama-2-7B layer has 202,383,360 params; GQA shrinks k/v', () => {
    expect(paramCount(model('llama_block'))).toBe(4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096);
    const gqa = model('llama_block:dim=2048,heads=16,kv_heads=4,hidden=5632,layers=2');
    expect(paramCount(gqa)).toBe(2 * (2 * 2048 * 2048 + 2 * 2048 * 512 + 3 * 2048 * 5632 + 2 * 2048));
  });

  it('gpt2 decode: one token against the KV cache, same params, MACs of one token', () => {
    const d = model('gpt2:mode=decode,seq=127');
    expect(paramCount(d)).toBe(124_439_808);
    // per layer: qkv, proj, mlp (12 D^2) + attention over 128 keys (2 * 128 * D); lm head V*D
    const D = 768;
    expect(graphMacs(d)).toBe(12 * (12 * D * D + 2 * 128 * D) + 50257 * D);
    const l = lowerGraph(d);
    const qk = l.arrayOps.find((o) => o.part === 'qk')!;
    expect(qk.layer).toMatchObject({ kind: 'gemm', m: 1, n: 128, k: 64 });
    expect(qk.repeat).toBe(12);
    expect(d.outputs).toHaveLength(1 + 24); // logits + k/v cache of every layer
  });

  it('bert_base MACs scale with the sequence length and batch', () => {
    const a = graphMacs(model('bert_base:seq=64'));
    const b = graphMacs(model('bert_base:seq=64,batch=2'));
    expect(b).toBe(2 * a);
    // attention grows quadratically with the sequence: doubling seq more than doubles MACs
    expect(graphMacs(model('bert_base:seq=128'))).toBeGreaterThan(2 * a);
  });

  it('every zoo model lowers, and every MAC lands on the array', () => {
    for (const name of zooNames()) {
      const l = lowerGraph(model(name));
      expect(l.summary.arrayMacs).toBe(l.summary.modelMacs);
      expect(l.arrayOps.length).toBeGreaterThan(0);
      expect(l.vectorOps.length).toBeGreaterThan(0);
    }
  });

  it('model specs: parameters, defaults and errors', () => {
    expect(parseZooSpec('bert_base:seq=384').params).toEqual({ batch: 1, seq: 384 });
    expect(() => parseZooSpec('bert_base:sequence=3')).toThrow(/has no parameter 'sequence'/);
    expect(() => parseZooSpec('gpt2:mode=train')).toThrow(/mode must be one of prefill, decode/);
    expect(() => parseZooSpec('resnet18:batch=0')).toThrow(InputError);
    expect(() => buildZooModel('bert_base:seq=1000')).toThrow(/exceeds the 512/);
    expect(() => parseZooSpec('resnet1000')).toThrow(/unknown zoo model 'resnet1000'/);
  });
});
