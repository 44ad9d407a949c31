/**
 * A model's weights in shared memory (models/shared-graph.ts): the graph read back from the
 * shared layout is the parsed ONNX file's graph, value for value (checked against a fresh parse
 * of the file, not against the layout); its weights are views of one SharedArrayBuffer that a
 * worker receives without a copy; and a 2-job accuracy run, whose worker adopts the shared model
 * instead of parsing the file, gives the 1-job run's logits bit for bit.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../../models/import/onnx.ts';
import { graphOfShared, shareGraph } from '../../models/shared-graph.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { runAccuracy } from '../../models/accuracy/run.ts';
import { closePools } from '../../models/parallel.ts';

afterAll(closePools);

describe('a graph in shared memory', () => {
  for (const name of ['cnn', 'lm-austen']) {
    it(`${name}: read back, it is the parsed file's graph, every tensor's values bit for bit, in one shared buffer`, () => {
      const file = resolveTrainedModel(name);
      const parsed = importOnnx(readFileSync(file), { file });
      const { shared, graph } = shareGraph(importOnnx(readFileSync(file), { file }));
      for (const g of [graph, graphOfShared(structuredClone(shared))]) {
        expect(g.name).toBe(parsed.name);
        expect(g.inputs).toEqual(parsed.inputs);
        expect(g.outputs).toEqual(parsed.outputs);
        expect(g.nodes).toEqual(parsed.nodes);
        expect([...g.tensors.keys()]).toEqual([...parsed.tensors.keys()]);
        const buffers = new Set<ArrayBufferLike>();
        for (const [key, t] of parsed.tensors) {
          const s = g.tensors.get(key)!;
          const { data, ...rest } = t;
          const { data: sdata, ...srest } = s;
          expect(srest).toEqual(rest);
          if (!data) {
            expect(sdata).toBeUndefined();
            continue;
          }
          buffers.add(sdata!.buffer);
          const a = new Uint32Array(sdata!.buffer, sdata!.byteOffset, sdata!.length), b = new Uint32Array(data.buffer, data.byteOffset, data.length);
          let differ = a.length === b.length ? 0 : 1;
          for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) differ++;
          expect(differ).toBe(0);
        }
        // every weight a view of one shared buffer
        expect(buffers.size).toBe(1);
        expect([...buffers][0]).toBeInstanceOf(SharedArrayBuffer);
        expect([...g.tensors.values()].filter((t) => t.data).length).toBeGreaterThan(3);
      }
    });
  }

  it('a worker that receives it reads the same memory (no copy): a write there is seen here', async () => {
    const { shared, graph } = shareGraph(importOnnx(readFileSync(resolveTrainedModel('cnn')), { file: 'cnn' }));
    const w = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       new Float32Array(workerData.buffer, 0, 1)[0] = 1234.5;
       parentPort.postMessage(workerData.buffer.byteLength);`,
      { eval: true, workerData: shared },
    );
    const len = await new Promise<number>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(len).toBe(shared.buffer.byteLength);
    const first = [...graph.tensors.values()].find((t) => t.data && t.data.byteOffset === 0)!;
    expect(first.data![0]).toBe(1234.5);
  });

  it('2 jobs (a worker adopting the shared model) give the 1-job logits bit for bit', async () => {
    const setup = { modelFile: resolveTrainedModel('cnn'), dataset: 'fmnist', pe: 'bf16', peOptions: {}, dataflow: 'os' as const, rows: 32 };
    const one = await runAccuracy(setup, { limit: 48, jobs: 1, chunk: 8, reference: false });
    const two = await runAccuracy(setup, { limit: 48, jobs: 2, chunk: 8, reference: false });
    const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    expect(bits(two.result.logits)).toEqual(bits(one.result.logits));
  });
});
