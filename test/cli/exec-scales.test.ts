/**
 * `bitweave exec --scales token` on a language model, as a user runs it: int8 per token is
 * causal (from the definition: two inputs that differ only in the last character give the same
 * logits at every earlier position), per tensor it is not; a bad value is refused with exit 2,
 * nothing written (an einsum under per-token integer scales: test/models/token-scales.test.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { encodeNpy, readNpy } from '../../models/io/npy.ts';
import { runCli } from './run-cli.ts';

describe('bitweave exec --scales', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-exec-scales-'));
  const tokens = BigInt64Array.from(windowTokens(loadText('austen'), 0, 128), (v) => BigInt(v));
  const changed = BigInt64Array.from(tokens);
  changed[127] = tokens[127] === 90n ? 122n : 90n;
  const files = [tokens, changed].map((t, i) => {
    const f = join(dir, `tokens${i}.npy`);
    writeFileSync(f, encodeNpy({ dtype: 'int64', shape: [1, 128], data: t }));
    return f;
  });
  const logits = (input: string, scales: string): Float32Array => {
    const out = join(dir, `${scales}-${input.endsWith('0.npy') ? 0 : 1}.npy`);
    const r = runCli(['exec', '--model', 'lm-austen', '--input', input, '--pe', 'int8', '--scales', scales, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    return readNpy(out).data as Float32Array;
  };
  const earlierDiffer = (a: Float32Array, b: Float32Array) => {
    let n = 0;
    for (let i = 0; i < 127 * 128; i++) if (!Object.is(a[i], b[i])) n++;
    return n;
  };

  it('int8 per token: the last character changes no earlier logit; per tensor it does', () => {
    expect(earlierDiffer(logits(files[0], 'token'), logits(files[1], 'token'))).toBe(0);
    expect(earlierDiffer(logits(files[0], 'tensor'), logits(files[1], 'tensor'))).toBeGreaterThan(0);
  });

  it('refuses a bad value before any work, nothing written', () => {
    const out = join(dir, 'bad.npy');
    const r = runCli(['exec', '--model', 'lm-austen', '--input', files[0], '--pe', 'int8', '--scales', 'row', '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scales must be tensor or token, got 'row'/);
    expect(existsSync(out)).toBe(false);
  });
});
