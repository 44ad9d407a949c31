/**
 * Batched attention GEMMs through the PE arithmetic: every batch element's (and head's) GEMM
 * gets its own B. The array backend caches quantized weights by array; the Einsum and the fused
 * attention kernels once refilled one B buffer for every batch element or head, so each one
 * after the first read the first one's B from that cache. Einsum against onnxruntime-node on the
 * same model; the fused attention node (zoo gpt2 with seeded weights, 2 heads) against the fp32
 * reference executor (its float64 GEMM, itself checked against onnxruntime). The fp32 PE has the
 * same products and fp32 sums: within 1e-5 of the output's scale.
 */
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { importOnnx } from '../../models/import/onnx.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { gpt2 } from '../../models/zoo/transformers.ts';
import { OnnxModelBuilder, randomInput, relError, runOrt } from './onnx-builder.ts';

describe('batched Einsum through the array backend', () => {
  it('each batch element multiplies its own B (fp32 PE vs onnxruntime-node)', async () => {
    const b = new OnnxModelBuilder(3, 13);
    b.input('q', [2, 3, 5, 4]);
    b.input('k', [2, 3, 6, 4]);
    b.node('Einsum', ['q', 'k'], 's', { equation: 'bhqd,bhkd->bhqk' });
    b.output('s');
    const bytes = b.encode();
    const q = randomInput(2 * 3 * 5 * 4, 1), k = randomInput(2 * 3 * 6 * 4, 2);
    const g = importOnnx(bytes, { file: 'einsum.onnx', inputShapes: { q: [2, 3, 5, 4], k: [2, 3, 6, 4] } });
    const ours = executeGraph(g, { q, k }, { array: arrayBackend(getPe('fp32'), { dataflow: 'os', rows: 32 }) }).get('s')!;
    const ref = await runOrt(bytes, { q: { data: q, dims: [2, 3, 5, 4] }, k: { data: k, dims: [2, 3, 6, 4] } });
    expect(relError(ours, ref.s)).toBeLessThanOrEqual(1e-5);
  });

  it('the fused attention node: each head multiplies its own K and V (fp32 PE vs the fp32 reference executor)', () => {
    const g = gpt2({ batch: 1, layers: 1, dim: 16, heads: 2, vocab: 40, positions: 16, seq: 5, mode: 'prefill' }, { weights: true, seed: 4 });
    expect(g.nodes.some((n) => n.op === 'attention')).toBe(true);
    const ids = Float32Array.of(3, 17, 5, 29, 11);
    const ref = executeGraph(g, { input_ids: ids }).get('lm_head')!;
    const pe = executeGraph(g, { input_ids: ids }, { array: arrayBackend(getPe('fp32'), { dataflow: 'os', rows: 32 }) }).get('lm_head')!;
    expect(relError(pe, ref)).toBeLessThanOrEqual(1e-5);
  });
});
