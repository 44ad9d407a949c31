/**
 * `bitweave exec` as a user runs it: outputs written (.npy / .npz) equal PyTorch's within 1e-5 in
 * fp32, bad inputs are exit-2 errors that name what the model expects and write nothing, --dump
 * writes every node beside the reference, and --baseline fails (exit 1) naming the PE kind whose
 * bits moved: a PE with one flipped product bit, injected here (a wrapper around the registry's
 * PE handed to the command as its PE source), fails it and names that kind only.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { execCommandRun } from '../../cli/commands/exec.ts';
import { encodeNpy, readNpy, readNpz } from '../../models/io/npy.ts';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import { relError } from '../models/onnx-builder.ts';
import { fixturePath } from '../models/onnx-fixtures.ts';
import { flippedProductPe } from '../pe/flipped-pe.ts';
import { runCli } from './run-cli.ts';

const LSTM = fixturePath('lstm', 'model.onnx');
const LSTM_IN = fixturePath('lstm', 'input.npy');
const MOBILE = fixturePath('mobilenet_v3_small', 'model.onnx');
const MOBILE_IN = fixturePath('mobilenet_v3_small', 'input.npy');
const tmp = () => mkdtempSync(join(tmpdir(), 'bitweave-exec-'));

describe('bitweave exec', () => {
  it('fp32: the outputs written to an .npz equal PyTorch\'s (1e-5); an .npy for three outputs is refused, nothing written', () => {
    const dir = tmp();
    const out = join(dir, 'out.npz');
    const r = runCli(['exec', '--model', LSTM, '--input', LSTM_IN, '--pe', 'fp32', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PE fp32/);
    const got = readNpz(out);
    expect([...got.keys()]).toEqual(['output', 'h_n', 'c_n']);
    for (const k of got.keys()) {
      const want = readNpy(fixturePath('lstm', `${k}.npy`));
      expect(got.get(k)!.shape).toEqual(want.shape);
      expect(relError(got.get(k)!.data as Float32Array, want.data as Float32Array), k).toBeLessThanOrEqual(1e-5);
    }
    const npy = join(dir, 'out.npy');
    const bad = runCli(['exec', '--model', LSTM, '--input', LSTM_IN, '--output', npy]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/3 outputs \(output, h_n, c_n\).*\.npz/);
    expect(existsSync(npy)).toBe(false);
  });

  it('wrong input names, shapes and data types are exit-2 errors naming what the model expects, with no stack trace and nothing written', () => {
    const dir = tmp();
    const out = join(dir, 'o.npy');
    const save = (file: string, dtype: 'float32' | 'int32', shape: number[]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
      writeFileSync(join(dir, file), encodeNpy({ dtype, shape, data } as Parameters<typeof encodeNpy>[0]));
      return join(dir, file);
    };
    const cases: [string[], RegExp][] = [
      [['--input', `wrong=${MOBILE_IN}`], /'wrong' is not an input of the model; the model's inputs: input \[1, 3, 64, 64\] float32/],
      [['--input', save('small.npy', 'float32', [1, 3, 32, 32])], /input 'input' has shape \[1, 3, 32, 32\], the model expects \[1, 3, 64, 64\]/],
      [['--input', save('int.npy', 'int32', [1, 3, 64, 64])], /data type int32, input 'input' expects float32/],
      [[], /give the model's input data: --input NAME=FILE\.npy \(the model's inputs: input \[1, 3, 64, 64\]\)/],
      [['--input', MOBILE_IN, '--input', `input=${MOBILE_IN}`], /input 'input' is given twice/],
      [['--input', MOBILE_IN, '--pe', 'fp8-e9m9'], /unknown PE kind 'fp8-e9m9'/],
      [['--input', MOBILE_IN, '--accumulate', 'sideways'], /accumulate/],
    ];
    // the command's checks, in process (each refused before any work)
    for (const [args, msg] of cases) {
      const input = args.filter((_, i) => args[i - 1] === '--input');
      const pe = args.filter((_, i) => args[i - 1] === '--pe');
      const accumulate = args.find((_, i) => args[i - 1] === '--accumulate');
      expect(() => execCommandRun({
        model: MOBILE, input, ...(pe.length > 0 && { pe }), ...(accumulate !== undefined && { accumulate }),
        output: out, fpPe: 'fp32', seed: 1, update: false, json: true,
      }), args.join(' ')).toThrow(msg);
      expect(existsSync(out)).toBe(false);
    }
    // and as a user sees them: exit 2, the message, no stack trace, nothing written
    for (const [args, msg] of [cases[0], cases[2]]) {
      const r = runCli(['exec', '--model', MOBILE, ...args, '--output', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--dump writes every node, the reference beside the PE, and the per-node table with the first jump', () => {
    const dir = tmp();
    const dump = join(dir, 'dump');
    const out = join(dir, 'y.npz');
    const r = runCli(['exec', '--model', LSTM, '--input', `input=${LSTM_IN}`, '--pe', 'fp8-e4m3', '--dump', dump, '--output', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      runs: { pe: string; outputs: { name: string; snr_db: number }[]; nodes: { node: string; op: string; jumps: boolean }[]; first_jump: { node: string } | null }[];
    };
    const run = rep.runs[0];
    expect(run.pe).toBe('fp8-e4m3');
    // the first jump is the first node that computes anything with the PE: the first LSTM
    expect(run.first_jump?.node).toBe(run.nodes.find((n) => n.jumps)?.node);
    expect(run.nodes.find((n) => n.jumps)?.op).toBe('lstm');
    const index = JSON.parse(readFileSync(join(dump, 'index.json'), 'utf8')) as { nodes: { node: string; output: string; files: Record<string, string> }[] };
    expect(index.nodes.length).toBe(run.nodes.length);
    expect(readdirSync(dump).length).toBe(2 * index.nodes.length + 1);
    // the node producing the output: its dumped PE values are the written output
    const last = index.nodes.find((n) => n.output === 'output')!;
    const pe = readNpy(join(dump, last.files['fp8-e4m3'])).data as Float32Array;
    expect(Array.from(pe)).toEqual(Array.from(readNpz(out).get('output')!.data as Float32Array));
    const ref = readNpy(join(dump, last.files['fp32-reference'])).data as Float32Array;
    expect(relError(ref, readNpy(fixturePath('lstm', 'output.npy')).data as Float32Array)).toBeLessThanOrEqual(1e-5);
    // a second dump into the same, now full, folder is refused
    const again = runCli(['exec', '--model', LSTM, '--input', LSTM_IN, '--dump', dump]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not an empty folder/);
  });

  it('a static batch-1 model given 2 samples runs them one at a time: the same outputs as one by one', () => {
    const dir = tmp();
    const one = readNpy(MOBILE_IN).data as Float32Array;
    const two = new Float32Array(2 * one.length);
    two.set(one);
    two.set(one.map((v) => -v), one.length);
    writeFileSync(join(dir, 'x2.npy'), encodeNpy({ dtype: 'float32', shape: [2, 3, 64, 64], data: two }));
    writeFileSync(join(dir, 'xb.npy'), encodeNpy({ dtype: 'float32', shape: [1, 3, 64, 64], data: two.subarray(one.length) }));
    const run = (input: string, out: string) => quietly(() => execCommandRun({
      model: MOBILE, input: [input], pe: ['bf16'], output: join(dir, out), fpPe: 'fp32', seed: 1, update: false, json: true,
    }));
    run(join(dir, 'x2.npy'), 'y2.npy');
    run(MOBILE_IN, 'ya.npy');
    run(join(dir, 'xb.npy'), 'yb.npy');
    const y2 = readNpy(join(dir, 'y2.npy'));
    expect(y2.shape).toEqual([2, 10]);
    const ya = readNpy(join(dir, 'ya.npy')).data as Float32Array, yb = readNpy(join(dir, 'yb.npy')).data as Float32Array;
    expect(Array.from(y2.data as Float32Array)).toEqual([...ya, ...yb]);
  });
});

/** runs f with stdout silenced (the command prints its report) */
function quietly<T>(f: () => T): T {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return f();
  } finally {
    write.mockRestore();
  }
}

describe('bitweave exec --baseline', () => {
  it('passes on an unchanged model (exit 0); one flipped product bit in one PE kind fails it, naming that kind only', () => {
    const dir = tmp();
    const baseline = join(dir, 'lstm.baseline.json');
    const args = ['exec', '--model', LSTM, '--input', LSTM_IN, '--pe', 'fp8-e4m3,lmul-bf16', '--pe', 'bf16', '--baseline', baseline];
    const created = runCli([...args, '--update']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/created .*lstm\.baseline\.json: \d+ entries/);
    const same = runCli(args);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/figures compared: OK/);

    // in process, with the PE source replaced: lmul-bf16 gets one wrong product
    const before = process.exitCode;
    const outcome = quietly(() => execCommandRun({
      model: LSTM, input: [LSTM_IN], pe: ['fp8-e4m3,lmul-bf16', 'bf16'], baseline, fpPe: 'fp32', seed: 1, update: false, json: true,
    }, (name: string, opts?: PeOptions) => (name === 'lmul-bf16' ? flippedProductPe(getPe(name, opts)) : getPe(name, opts))));
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    const failing = outcome.comparison!.rows.filter((r) => r.fails);
    expect(failing.length).toBeGreaterThan(0);
    for (const r of failing) expect(r.key.startsWith('lmul-bf16/'), r.key).toBe(true);
    expect(failing.some((r) => r.key.endsWith('/hash') && r.delta === 'bits differ')).toBe(true);

    // the CLI: a baseline whose lmul-bf16 figure moved fails with the table and names the kind
    const text = readFileSync(baseline, 'utf8').replace(/("lmul-bf16\/output\/hash": \{"value":"\d+:)([0-9a-f])/, (_m, a: string, c: string) => a + (c === '0' ? '1' : '0'));
    writeFileSync(baseline, text);
    const moved = runCli(args);
    expect(moved.code).toBe(1);
    expect(moved.stdout).toMatch(/lmul-bf16\/output\/hash .* bits differ .* changed FAIL/);
    expect(moved.stdout).toMatch(/changed: lmul-bf16;/);
  });
});
