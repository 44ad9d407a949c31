/**
 * Issue 19: every input size has a limit (sim/limits.ts), checked before any work, with a
 * message that says how to raise it; the README's table is the module's. Each case hung or
 * exhausted memory before (the guarded CLI turns that into a 'hang' or 'memory' verdict).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import onnxPkg from 'onnx-proto';
import { LIMITS } from '../../sim/limits.ts';
import { OnnxModelBuilder } from '../models/onnx-builder.ts';
import { repoRoot } from './run-cli.ts';
import { guardedCli } from './guarded-cli.ts';

const { onnx } = onnxPkg;

const cli = guardedCli({ timeoutMs: 30_000, rssMb: 1500 });
afterAll(() => cli.close());

const HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

async function refusedFast(args: string[], message: RegExp, files?: Record<string, string | Uint8Array>) {
  const o = await cli.run(args, files ? { files } : {});
  expect(o.verdict, `${args.join(' ')}: ${o.stderr}`).toBe('clean-error');
  expect(o.stderr).toMatch(message);
  // refused before any work: well inside the 30 s hang limit (the refusals measured take < 0.1 s after warm-up)
  expect(o.ms, args.join(' ')).toBeLessThan(10_000);
  return o;
}

describe('sizes are refused before any work, never found out by a hang', () => {
  it('--gemm 99999999999999999999x1x1 (it hung)', async () => {
    await refusedFast(['run', '--gemm', '99999999999999999999x1x1'], /M is 100,000,000,000,000,000,000; the limit is 16,777,216 \(raise it with --max dim=N\)/);
  });

  it('resnet18:resolution=100000 (it hung): the folds of its first layer are counted first', async () => {
    await refusedFast(['run', '--model', 'resnet18:resolution=100000'], /layer stem\.conv: the number of folds .* the limit is 4,194,304/);
  });

  it('a 10^6-row topology CSV is refused by counting its rows (it died at 4.3 GB)', async () => {
    const o = await refusedFast(['run', '--model', '{dir}/t.csv'], /t\.csv: the number of rows is 1,000,000; the limit is 65,536 \(raise it with --max layers=N\)/,
      { 't.csv': `${HEADER}\n${'c, 8, 8, 3, 3, 4, 4, 1,\n'.repeat(1_000_000)}` });
    expect(o.ms).toBeLessThan(20_000);
  });

  it('a depthwise row of 10^6 channels is refused before its layers are built (it died at 4.3 GB)', async () => {
    await refusedFast(['run', '--model', '{dir}/t.csv'], /the number of layers with this depthwise row's 1000000 channels is 1,000,000/,
      { 't.csv': `${HEADER}\nconvDP1, 8, 8, 3, 3, 1000000, 1, 1,\n` });
  });

  it('precision mul --samples 1e9 (it grew without a cap)', async () => {
    await refusedFast(['precision', 'mul', '--samples', '1e9'], /--samples: the value is 1,000,000,000; the limit is 10,000,000/);
  });

  it('an ONNX tensor claiming 2^32 elements in a 100-byte file is refused before allocation', async () => {
    const model = onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 7, opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g', node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'], name: 'mm' }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 65536 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
        initializer: [{ name: 'w', dims: [65536, 65536], dataType: 1, rawData: new Uint8Array(16) }],
      },
    })).finish();
    await refusedFast(['run', '--model', '{dir}/m.onnx'], /tensor 'w' \(shape \[65536, 65536\]\): its number of elements is 4,294,967,296; the limit is 268,435,456/, { 'm.onnx': model });
    // within the limit, the size is checked against the bytes the file holds
    const small = onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 7, opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g', node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'], name: 'mm' }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4096 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
        initializer: [{ name: 'w', dims: [4096, 4096], dataType: 1, rawData: new Uint8Array(16) }],
      },
    })).finish();
    await refusedFast(['run', '--model', '{dir}/m.onnx'], /tensor 'w' holds 16 bytes, shape \[4096, 4096\] needs 67108864/, { 'm.onnx': small });
  });

  it('a padded conv with a 61x50225 kernel runs in seconds (found by the fuzz suite: its padding count was O(folds x kernel positions))', async () => {
    const csv = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconvDP, 11, 62, 61, 50225, 5, 12007, 40,\n';
    const o = await cli.run(['run', '--model', '{dir}/t.csv', '--padding', 'same', '--json'], { files: { 't.csv': csv }, timeoutMs: 20_000 });
    expect(o.verdict, o.stderr).toBe('ok');
  });

  it("--compat scalesim: SCALE-Sim's memory system steps through every cycle, so its cycles and operands are counted first", async () => {
    await refusedFast(['run', '--gemm', '64x64x2000000', '--compat', 'scalesim'], /operand elements of a layer under SCALE-Sim's memory system .* is 256,004,096; the limit is 134,217,728/);
    await refusedFast(['run', '--gemm', '1000000x64x64', '--compat', 'scalesim', '--max', 'scalesim_steps=268435456'], /steps of SCALE-Sim's memory system .* is 504,000,000; the limit is 268,435,456/);
  });

  it('--max raises a limit: the refused run then runs', async () => {
    await refusedFast(['run', '--gemm', '4096x64x64', '--array', '8x8', '--max', 'folds=1000'], /the limit is 1,000 \(raise it with --max folds=N\)/);
    const o = await cli.run(['run', '--gemm', '4096x64x64', '--array', '8x8', '--max', 'folds=5000']);
    expect(o.verdict, o.stderr).toBe('ok');
    await refusedFast(['run', '--gemm', '8x8x8', '--max', 'macs=2'], /MACs of a run .* is 512; the limit is 2 /);
    await refusedFast(['run', '--gemm', '8x8x8', '--max', 'nosuch=2'], /unknown limit 'nosuch'/);
    // a global option: before the command too, one KEY=N each time (the command is not read as a second value)
    const before = await cli.run(['--max', 'folds=5000', 'run', '--gemm', '4096x64x64', '--array', '8x8']);
    expect(before.verdict, before.stderr).toBe('ok');
  });
});

describe('messages that name the culprit', () => {
  it('a negative ONNX input dimension is called negative, not "symbolic"', async () => {
    const b = new OnnxModelBuilder(1, 13);
    b.output(b.node('Conv', [b.input('x', [1, -3, 8, 8]), b.weight('w', [4, 3, 3, 3])], 'y'));
    const o = await refusedFast(['run', '--model', '{dir}/m.onnx'], /dimension 1 = -3/, { 'm.onnx': b.encode() });
    expect(o.stderr).not.toMatch(/symbolic/);
  });

  it('huge Conv pads are blamed on the Conv (it hung)', async () => {
    const b = new OnnxModelBuilder(1, 13);
    const c = b.node('Conv', [b.input('x', [1, 3, 8, 8]), b.weight('w', [4, 3, 3, 3])], 'c', { pads: [100000, 100000, 100000, 100000] }, 'conv_huge_pads');
    b.output(b.node('Relu', [c], 'y', undefined, 'relu_after'));
    await refusedFast(['run', '--model', '{dir}/m.onnx'], /layer conv_huge_pads: the number of folds/, { 'm.onnx': b.encode() });
  });
});

describe('the README documents every limit', () => {
  it('its Limits table lists each key of sim/limits.ts with its default', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Limits'));
    for (const [key, spec] of Object.entries(LIMITS)) {
      const row = section.split('\n').find((l) => l.startsWith(`| \`${key}\``));
      expect(row, key).toBeDefined();
      expect(row, key).toContain(spec.max.toLocaleString('en-US'));
      // the default column itself (a substring match lets 1,000 pass for 1,000,000)
      expect(row?.split('|')[2]?.trim(), key).toBe(spec.max.toLocaleString('en-US'));
    }
  });
});
