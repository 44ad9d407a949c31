/**
 * encode/decode for every NumberFormat: floats through float-codec.ts, scale formats (E8M0)
 * through exp-codec.ts, block-PE operands through block-operand.ts (a single real is a block
 * of one), integers, ternary and binary here. Integer conversion from reals rounds (to nearest even, or toward zero) and
 * always clamps to the range: a quantizer that wrapped around would turn 128 into -128.
 */
import { InputError } from '../errors.ts';
import { decodeBlockOperand, encodeBlockOperand } from './block-operand.ts';
import { decodeExp, encodeExp } from './exp-codec.ts';
import { decodeFloat, encodeFloat, type EncodeOptions } from './float-codec.ts';
import type { IntFormat, NumberFormat } from './formats.ts';

function roundInt(x: number, opts: EncodeOptions): number {
  if (opts.round === 'trunc') return Math.trunc(x);
  const n = Math.floor(x);
  const frac = x - n;
  if (frac > 0.5 || (frac === 0.5 && n % 2 !== 0)) return n + 1;
  return n;
}

export function encodeInt(f: IntFormat, x: number, opts: EncodeOptions = {}): number {
  if (x !== x) throw new InputError(`cannot convert NaN to ${f.name}`);
  let v = roundInt(x, opts);
  if (v > f.max) v = f.max;
  if (v < f.min) v = f.min;
  // a bit pattern is a non-negative integer, never -0 (Math.floor(-0), Math.trunc(-0.3) give -0)
  return v < 0 ? v + 2 ** f.bits : Math.abs(v);
}

export function decodeInt(f: IntFormat, bits: number): number {
  return bits > f.max ? bits - 2 ** f.bits : bits;
}

/** Integer value -> bit pattern, wrapping (two's complement): for results, not quantization. */
export function intToBits(f: IntFormat, v: number): number {
  const span = 2 ** f.bits;
  const r = ((v % span) + span) % span;
  return r;
}

export function encode(f: NumberFormat, x: number, opts: EncodeOptions = {}): number {
  switch (f.kind) {
    case 'float':
      return encodeFloat(f, x, opts);
    case 'int':
      return encodeInt(f, x, opts);
    case 'exp':
      return encodeExp(f, x, opts);
    case 'block':
      return encodeBlockOperand(f, x);
    case 'ternary': {
      if (x !== x) throw new InputError('cannot convert NaN to ternary');
      const t = x > 0.5 ? 1 : x < -0.5 ? -1 : 0;
      return t === -1 ? 0b11 : t;
    }
    case 'binary':
      if (x !== x) throw new InputError('cannot convert NaN to binary');
      return x < 0 ? 1 : 0;
  }
}

export function decode(f: NumberFormat, bits: number): number {
  switch (f.kind) {
    case 'float':
      return decodeFloat(f, bits);
    case 'int':
      return decodeInt(f, bits);
    case 'exp':
      return decodeExp(f, bits);
    case 'block':
      return decodeBlockOperand(f, bits);
    case 'ternary':
      if (bits === 0b10) throw new InputError('0b10 is not a ternary pattern (00 = 0, 01 = +1, 11 = -1)');
      return bits === 0b11 ? -1 : bits;
    case 'binary':
      return bits === 0 ? 1 : -1;
  }
}

/** Whether `bits` is a pattern of f at all (in range, and not ternary's unused 0b10). */
export function isValidBits(f: NumberFormat, bits: number): boolean {
  if (!Number.isInteger(bits) || bits < 0 || bits >= 2 ** f.bits) return false;
  return !(f.kind === 'ternary' && bits === 0b10);
}

/** Parses a hex bit pattern ("0x3f80" or "3f80") for f; refuses patterns too wide. */
export function parseBits(f: NumberFormat, text: string): number {
  const t = text.trim();
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(t);
  if (!m) throw new InputError(`'${text}' is not a hex bit pattern`);
  const v = parseInt(m[1], 16);
  if (!isValidBits(f, v)) {
    throw new InputError(
      `bit pattern ${t} does not fit ${f.name} (${f.bits} bits: 0x0..0x${(2 ** f.bits - 1).toString(16)}` +
        (f.kind === 'ternary' ? ', 0b10 unused' : '') +
        ')',
    );
  }
  return v;
}

export function formatBits(f: NumberFormat, bits: number): string {
  const digits = Math.max(1, Math.ceil(f.bits / 4));
  return '0x' + bits.toString(16).padStart(digits, '0');
}
