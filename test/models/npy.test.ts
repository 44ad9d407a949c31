/**
 * models/io/npy.ts against numpy: the files of test/fixtures/npy/ were written by numpy 1.24
 * (models/train/fixtures/export_npy_samples.py), and expected.json is numpy's own account of each
 * (dtype, shape, every value as a bit pattern). Reading must give numpy's values exactly; writing
 * must give np.save's bytes exactly; everything the reader cannot represent, and every header
 * that disagrees with its bytes, is refused before the data is allocated.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeNpy, encodeNpz, parseNpy, parseNpz, readNpy, readNpz, writeNpy, writeNpz,
  type NpyArray, type NpyDtype,
} from '../../models/io/npy.ts';
import { InputError } from '../../sim/errors.ts';

const DIR = new URL('../fixtures/npy/', import.meta.url);
const bytesOf = (f: string) => new Uint8Array(readFileSync(new URL(f, DIR)));

interface Described {
  descr: string;
  shape: number[];
  fortran_order: boolean;
  values: (string | boolean)[];
}
type Expected = Record<string, Described | { refused: true; descr: string } | Record<string, Described>>;
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Expected;

const DTYPE_OF_CODE: Record<string, NpyDtype> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64', b1: 'bool',
};

/** The values as numpy's expected.json writes them: float bit patterns in hex, integers in decimal. */
function described(a: NpyArray): (string | boolean)[] {
  const d = a.data;
  const n = d.length;
  const out: (string | boolean)[] = [];
  const bitsOf = (size: number) => {
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let k = 0; k < n; k++) {
      const b = size === 2 ? v.getUint16(k * 2, true) : size === 4 ? v.getUint32(k * 4, true) : v.getBigUint64(k * 8, true);
      out.push(b.toString(16));
    }
  };
  if (a.dtype === 'float16') bitsOf(2);
  else if (a.dtype === 'float32') bitsOf(4);
  else if (a.dtype === 'float64') bitsOf(8);
  else if (a.dtype === 'bool') for (let k = 0; k < n; k++) out.push(d[k] === 1);
  else for (let k = 0; k < n; k++) out.push(String(d[k]));
  return out;
}

function expectLike(a: NpyArray, e: Described): void {
  expect(a.dtype).toBe(DTYPE_OF_CODE[e.descr.slice(1)]);
  expect(a.shape).toEqual(e.shape);
  expect(described(a)).toEqual(e.values);
}

const npyFiles = Object.keys(expected).filter((f) => f.endsWith('.npy'));
const readable = npyFiles.filter((f) => !('refused' in expected[f]));
const refused = npyFiles.filter((f) => 'refused' in expected[f]);

/** Rewrites a v1.0 header's text (same total length, re-padded) to build malformed files. */
function withHeader(bytes: Uint8Array, edit: (text: string) => string): Uint8Array {
  const len = bytes[8] | (bytes[9] << 8);
  const text = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + len)).trimEnd();
  const edited = edit(text);
  if (edited.length + 1 > len) throw new Error('edited header does not fit');
  const out = bytes.slice();
  const padded = edited.padEnd(len - 1, ' ') + '\n';
  for (let k = 0; k < len; k++) out[10 + k] = padded.charCodeAt(k);
  return out;
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError, nothing was thrown');
}

describe('.npy files written by numpy', () => {
  it('the sample set is all there (every file of expected.json exists, and nothing else)', () => {
    expect(readable.length).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBe(5);
    const onDisk = readdirSync(DIR).filter((f) => f !== 'expected.json').sort();
    expect(onDisk).toEqual(Object.keys(expected).sort());
  });

  for (const f of readable) {
    it(`${f}: dtype, shape and every value as numpy records them`, () => {
      expectLike(parseNpy(bytesOf(f), { name: f }), expected[f] as Described);
    });
  }

  it('writing gives np.save\'s bytes exactly (every C-order, little-endian, version 1.0 sample)', () => {
    const plain = readable.filter((f) => !/^(fortran|bigendian|v2|v3)_/.test(f));
    expect(plain.length).toBeGreaterThanOrEqual(15);
    for (const f of plain) {
      const b = bytesOf(f);
      expect(Buffer.from(encodeNpy(parseNpy(b))).equals(Buffer.from(b)), f).toBe(true);
    }
  });

  it('Fortran-order files come back in C order, big-endian ones byte-swapped', () => {
    const a = parseNpy(bytesOf('fortran_f4_2x3.npy'));
    expect(Array.from(a.data as Float32Array)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    const b = parseNpy(bytesOf('bigendian_i8_3x2.npy'));
    expect(b.data[0]).toBe(-(2n ** 63n));
    expect(b.data[4]).toBe(2n ** 53n + 1n);
  });

  for (const f of refused) {
    it(`${f}: refused, naming the dtype`, () => {
      const msg = refusal(() => parseNpy(bytesOf(f), { name: f }));
      expect(msg).toContain(f);
      expect(msg).toMatch(/not supported/);
    });
  }
});

describe('.npz archives written by numpy', () => {
  for (const f of ['stored.npz', 'compressed.npz']) {
    it(`${f}: every array, in order`, () => {
      const e = expected[f] as Record<string, Described>;
      const got = parseNpz(bytesOf(f), { name: f });
      expect([...got.keys()]).toEqual(Object.keys(e));
      for (const [k, a] of got) expectLike(a, e[k]);
    });
  }

  it('writing: each entry is np.save\'s bytes, stored (np.savez) or deflated (np.savez_compressed)', () => {
    const arrays = parseNpz(bytesOf('stored.npz'));
    const numpyEntries = unzipSync(bytesOf('stored.npz'));
    for (const compress of [false, true]) {
      const ours = encodeNpz(arrays, compress);
      const info: Record<string, number> = {};
      const entries = unzipSync(ours, { filter: (fi) => ((info[fi.name] = fi.compression), true) });
      expect(Object.keys(entries)).toEqual(Object.keys(numpyEntries));
      for (const [name, b] of Object.entries(entries)) {
        expect(Buffer.from(b).equals(Buffer.from(numpyEntries[name])), name).toBe(true);
        expect(info[name]).toBe(compress ? 8 : 0);
      }
    }
    expect(Buffer.from(encodeNpz(arrays)).equals(Buffer.from(encodeNpz(arrays)))).toBe(true);
  });

  it('refuses an entry that is not .npy, and a declared size over the limit before extracting', () => {
    const npy = bytesOf('f4_2x5.npy');
    expect(refusal(() => parseNpz(zipSync({ 'a.npy': npy, 'notes.txt': new Uint8Array(3) }), { name: 'x.npz' }))).toMatch(
      /x\.npz: entry 'notes\.txt' is not an \.npy file/,
    );
    // claim 3 GiB of uncompressed data in the central directory
    const z = zipSync({ 'a.npy': npy }, { level: 0 });
    const cd = Buffer.from(z).lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    new DataView(z.buffer, z.byteOffset).setUint32(cd + 24, 3 * 2 ** 30, true);
    expect(refusal(() => parseNpz(z, { name: 'big.npz' }))).toMatch(/big\.npz: entries of more than \d+ bytes/);
    expect(refusal(() => parseNpz(new Uint8Array(100), { name: 'junk.npz' }))).toMatch(/junk\.npz: not a readable \.npz/);
  });
});

describe('refuses headers that disagree with the bytes, before allocating', () => {
  const good = bytesOf('f4_2x5.npy');

  it('truncated data, extra bytes, a shape that needs more bytes than there are', () => {
    expect(refusal(() => parseNpy(good.subarray(0, good.length - 1), { name: 't.npy' }))).toMatch(
      /t\.npy: header declares shape \(2, 5\) of float32 = 40 bytes, the file has 39/,
    );
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expect(refusal(() => parseNpy(longer))).toMatch(/40 bytes, the file has 44/);
    // 10^15 float32 elements: refused by the size limit, nothing of that size is allocated
    const huge = withHeader(good, (t) => t.replace('(2, 5)', '(1000000000000000,)'));
    expect(refusal(() => parseNpy(huge, { name: 'h.npy' }))).toMatch(/h\.npy: array of 4000000000000000 bytes exceeds the limit/);
    const over = withHeader(good, (t) => t.replace('(2, 5)', '(99999999999, 99999999999, 9999)'));
    expect(refusal(() => parseNpy(over))).toMatch(/too large/);
    expect(refusal(() => parseNpy(good, { maxBytes: 39 }))).toMatch(/array of 40 bytes exceeds the limit of 39/);
  });

  it('malformed headers: magic, version, keys, values, byte order, length', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(4), /not an \.npy file/],
      [(() => { const b = good.slice(); b[6] = 4; return b; })(), /unsupported \.npy version 4\.0/],
      [(() => { const b = good.slice(); b[8] = 0xff; b[9] = 0x00; return b; })(), /header declares 255 bytes/],
      [(() => { const b = good.slice(); b[8] = 0xff; b[9] = 0xff; return b; })(), /header of 65535 bytes \(limit 10000\)/],
      [withHeader(good, (t) => t.replace("'fortran_order': False, ", '')), /keys are \[descr,shape\]/],
      [withHeader(good, (t) => t.replace('}', "'extra': 1, }")), /keys are \[descr,extra,fortran_order,shape\]/],
      [withHeader(good, (t) => t.replace("'descr'", "'shape'")), /duplicate key 'shape'/],
      [withHeader(good, (t) => t.replace('(2, 5)', '(2, -5)')), /not a tuple of non-negative integers/],
      [withHeader(good, (t) => t.replace('(2, 5)', "(2, 'a')")), /not a tuple of non-negative integers/],
      [withHeader(good, (t) => t.replace('False', 'None')), /malformed \.npy header \(unexpected token/],
      [withHeader(good, (t) => t.replace('(2, 5)', '(2, 5')), /malformed/],
      [withHeader(good, (t) => t.replace("'<f4'", "'=f4'")), /native byte order/],
      [withHeader(good, (t) => t.replace("'<f4'", "'f4'")), /has no byte order/],
      [withHeader(good, (t) => t.replace("'<f4'", "[('a', '<f4')]")), /structured dtypes are not supported/],
      [withHeader(good, (t) => t.slice(0, -1)), /malformed/],
    ];
    for (const [b, re] of cases) expect(refusal(() => parseNpy(b, { name: 'bad.npy' }))).toMatch(re);
  });

  it('accepts Python 2 long integers in the shape (old numpy files)', () => {
    const py2 = withHeader(good, (t) => t.replace('(2, 5)', '(2L, 5L)'));
    expect(parseNpy(py2).shape).toEqual([2, 5]);
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-npy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writeNpy / readNpy, writeNpz / readNpz round trip; no temporary file is left', () => {
    const a: NpyArray<'float32'> = { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, -0, 7]) };
    const b: NpyArray<'int64'> = { dtype: 'int64', shape: [2], data: BigInt64Array.from([-5n, 2n ** 62n]) };
    writeNpy(join(dir, 'a.npy'), a);
    expect(readNpy(join(dir, 'a.npy'))).toEqual(a);
    writeNpz(join(dir, 'ab.npz'), { a, b }, true);
    const back = readNpz(join(dir, 'ab.npz'));
    expect([...back.keys()]).toEqual(['a', 'b']);
    expect(back.get('b')).toEqual(b);
    expect(readdirSync(dir).sort()).toEqual(['a.npy', 'ab.npz']);
  });

  it('a missing file, a file over the limit, an unwritable path: InputError or the fs error, nothing half-written', () => {
    expect(refusal(() => readNpy(join(dir, 'nope.npy')))).toMatch(/no such file/);
    expect(refusal(() => readNpy(new URL('f4_1x3x4x4.npy', DIR).pathname, { maxBytes: 16 }))).toMatch(/192 bytes exceeds the limit of 16/);
    // a 3 GiB (sparse) file is refused from its size alone, before it is read
    const big = join(dir, 'big.npy');
    writeFileSync(big, '');
    truncateSync(big, 3 * 2 ** 30);
    expect(refusal(() => readNpy(big))).toMatch(/big\.npy: 3221225472 bytes exceeds the limit of 1073741824 bytes of data/);
    expect(refusal(() => readNpz(big))).toMatch(/exceeds the limit/);
    rmSync(big);
    const target = join(dir, 'missing-dir', 'x.npy');
    expect(() => writeNpy(target, { dtype: 'uint8', shape: [1], data: Uint8Array.of(1) })).toThrow();
    expect(existsSync(join(dir, 'missing-dir'))).toBe(false);
  });

  it('refuses to write an array whose data does not fill its shape', () => {
    expect(refusal(() => encodeNpy({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }))).toMatch(/3 elements for shape \[2, 2\]/);
  });
});

describe('round trip of random arrays (fast-check)', () => {
  const makers: Record<NpyDtype, (n: number, r: () => number) => NpyArray['data']> = {
    float16: (n, r) => Uint16Array.from({ length: n }, () => r() & 0xffff),
    float32: (n, r) => new Float32Array(Int32Array.from({ length: n }, r).buffer),
    float64: (n, r) => new Float64Array(Int32Array.from({ length: 2 * n }, r).buffer),
    int8: (n, r) => Int8Array.from({ length: n }, r),
    int16: (n, r) => Int16Array.from({ length: n }, r),
    int32: (n, r) => Int32Array.from({ length: n }, r),
    int64: (n, r) => BigInt64Array.from({ length: n }, () => (BigInt(r()) << 32n) ^ BigInt(r() >>> 0)),
    uint8: (n, r) => Uint8Array.from({ length: n }, r),
    uint16: (n, r) => Uint16Array.from({ length: n }, r),
    uint32: (n, r) => Uint32Array.from({ length: n }, r),
    uint64: (n, r) => BigUint64Array.from({ length: n }, () => BigInt.asUintN(64, (BigInt(r()) << 32n) ^ BigInt(r() >>> 0))),
    bool: (n, r) => Uint8Array.from({ length: n }, () => r() & 1),
  };
  it('parseNpy(encodeNpy(a)) has a\'s dtype, shape and bytes; the data is 64-byte aligned', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(makers) as NpyDtype[])),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        fc.integer(),
        (dtype, shape, seed) => {
          let s = seed | 0;
          const r = () => (s = (Math.imul(s, 1103515245) + 12345) | 0);
          const n = shape.reduce((p, d) => p * d, 1);
          const a = { dtype, shape, data: makers[dtype](n, r) } as NpyArray;
          const bytes = encodeNpy(a);
          const headerEnd = bytes.length - a.data.byteLength;
          expect(headerEnd % 64).toBe(0);
          const back = parseNpy(bytes);
          expect(back.dtype).toBe(dtype);
          expect(back.shape).toEqual(shape);
          expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength)
            .equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(true);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });
});
