/** User errors in the PE library are InputErrors with a useful message. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/errors.ts';
import { makeAccumulator } from '../../sim/pe/accumulator.ts';
import { parseBits, formatBits } from '../../sim/pe/codec.ts';
import { BF16, E4M3, FP32, INT8, TERNARY, BINARY, floatFormat, getFormat, namedFormats } from '../../sim/pe/formats.ts';
import { getPe, peNames } from '../../sim/pe/registry.ts';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error('did not throw');
}

describe('unknown names', () => {
  it('getFormat: unknown names throw InputError listing the valid names', () => {
    for (const bad of ['e9x', 'nope', 'fp8', 'e4m', '']) {
      const e = thrown(() => getFormat(bad));
      expect(e).toBeInstanceOf(InputError);
      for (const f of namedFormats()) expect(e.message).toContain(f.name);
      expect(e.message).toContain('eXmY');
    }
  });

  it('getFormat: names, aliases, custom eXmY, out-of-range custom widths', () => {
    expect(getFormat('E4M3FN')).toBe(E4M3);
    expect(getFormat(' bfloat16 ')).toBe(BF16);
    expect(getFormat('float8_e4m3fn')).toBe(E4M3);
    const c = getFormat('e3m4');
    expect(c.kind === 'float' && [c.expBits, c.manBits, c.bias, c.specials]).toEqual([3, 4, 3, 'ieee']);
    expect(() => getFormat('e12m3')).toThrow(InputError);
    expect(() => getFormat('e4m24')).toThrow(InputError);
    expect(() => getFormat('e1m3')).toThrow(InputError); // IEEE-style needs 2 exponent bits
    expect(() => floatFormat('x', 3, 0)).toThrow(InputError); // no mantissa bit for NaN
    expect(() => floatFormat('x', 0, 3)).toThrow(InputError);
  });

  it('getPe: unknown names list the PE names', () => {
    const e = thrown(() => getPe('nope'));
    expect(e).toBeInstanceOf(InputError);
    for (const n of peNames()) expect(e.message).toContain(n);
    expect(peNames()).toEqual(expect.arrayContaining(['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m3', 'lmul-m4', 'lmul-fp8-e4m3', 'int8', 'int4', 'ternary', 'xnor']));
    expect(getPe(' INT8 ').name).toBe('int8');
  });
});

describe('parseBits', () => {
  it('accepts hex patterns that fit', () => {
    expect(parseBits(E4M3, '0x7e')).toBe(0x7e);
    expect(parseBits(E4M3, 'FF')).toBe(0xff);
    expect(parseBits(FP32, '0x3f800000')).toBe(0x3f800000);
    expect(parseBits(TERNARY, '3')).toBe(3);
    expect(parseBits(BINARY, '1')).toBe(1);
    expect(formatBits(BF16, 0x3f80)).toBe('0x3f80');
    expect(formatBits(E4M3, 0x7)).toBe('0x07');
  });

  it('refuses patterns too wide, the unused ternary code and non-hex text', () => {
    for (const [f, t] of [[E4M3, '0x1ff'], [E4M3, '0x100'], [TERNARY, '2'], [TERNARY, '4'], [BINARY, '2'], [INT8, 'xyz'],
      [E4M3, '0x'], [E4M3, '-1'], [E4M3, '1.5'], [E4M3, '0x1g'], [FP32, '0x100000000'], [E4M3, '']] as const) {
      const e = thrown(() => parseBits(f, t));
      expect(e, `${f.name} '${t}'`).toBeInstanceOf(InputError);
    }
    expect(thrown(() => parseBits(E4M3, '0x1ff')).message).toContain('0xff');
  });
});

describe('PE options', () => {
  it('--acc of the wrong kind throws InputError', () => {
    expect(() => getPe('int8', { acc: 'fp32' })).toThrow(InputError);
    expect(() => getPe('fp32', { acc: 'int32' })).toThrow(InputError);
    expect(() => getPe('lmul-bf16', { acc: 'int16' })).toThrow(InputError);
    expect(() => getPe('xnor', { acc: 'bf16' })).toThrow(InputError);
    expect(() => getPe('fp32', { acc: 'ternary' })).toThrow(InputError);
    expect(() => getPe('fp32', { acc: 'nope' })).toThrow(InputError);
  });

  it('options that do not apply, and narrower internal adders, throw InputError', () => {
    expect(() => getPe('int8', { product: 'fp32' })).toThrow(InputError);
    expect(() => getPe('fp32', { lmulRound: 'trunc' })).toThrow(InputError);
    expect(() => getPe('bf16', { product: 'int8' })).toThrow(InputError);
    expect(() => getPe('fp32', { accInternal: 'bf16' })).toThrow(InputError);
    expect(() => getPe('int8', { accInternal: 'int16' })).toThrow(InputError);
    expect(() => makeAccumulator(FP32, INT8)).toThrow(InputError);
    expect(() => makeAccumulator(TERNARY)).toThrow(InputError);
  });

  it('the MX element formats (no Inf, no NaN) are refused as product and accumulator formats', () => {
    // a NaN or Inf product (fp8-e5m2 has both) has no encoding in them
    for (const f of ['e2m1', 'e3m2', 'e2m3']) {
      expect(thrown(() => getPe('fp8-e5m2', { product: f })).message).toMatch(/no Inf\/NaN/);
      expect(thrown(() => getPe('fp8-e4m3', { acc: f })).message).toMatch(/no Inf\/NaN/);
      expect(thrown(() => getPe('fp32', { acc: 'fp16', accInternal: f })).message).toMatch(/no Inf\/NaN|narrower/);
    }
  });
});
