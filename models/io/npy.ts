/**
 * NumPy's .npy and .npz files: read and write.
 *
 * Format: numpy's NEP 1 ("A simple file format for NumPy arrays", numpy.lib.format): magic
 * "\x93NUMPY", a version (1.0: 2-byte header length; 2.0 and 3.0: 4-byte), a Python dict literal
 * {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces and '\n' so the data
 * starts on a 64-byte boundary, then the raw elements. An .npz is a zip archive of .npy entries
 * named `<key>.npy` (np.savez stores them, np.savez_compressed deflates them); the zip container
 * is read and written by fflate.
 *
 * Written here rather than taken from npm: the kept .npy package (npyjs) reads .npy only (no .npz,
 * no writer of numpy-identical files), loads paths with fetch(), and takes the data as "the rest of
 * the buffer" without checking it against the header's shape, so a truncated file comes back as a
 * shorter array; numpy-parser is read-only as well. This module refuses every disagreement
 * between header and bytes before allocating anything the size of the data.
 *
 * Read: numeric and bool dtypes, little- or big-endian (big-endian is byte-swapped), C or Fortran
 * order (Fortran is reordered to C order), header versions 1.0, 2.0 and 3.0. Refused with an
 * InputError that names the file and the reason: complex, strings, objects (pickles), structured
 * and datetime dtypes, malformed headers, sizes that disagree with the bytes, arrays over the
 * size limit. Written: version 1.0 headers byte-identical to np.save's (numpy 1.24), C order,
 * little-endian.
 */
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './output-files.ts';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { InputError } from '../../sim/errors.ts';

/** The typed array that holds each dtype's elements (float16 as its raw bit patterns, bool as 0/1). */
export interface NpyDataByDtype {
  float16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}
export type NpyDtype = keyof NpyDataByDtype;

/** An array: elements in C (row-major) order, shape [] for a scalar. */
export interface NpyArray<D extends NpyDtype = NpyDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: NpyDataByDtype[D];
}

export interface NpyReadOptions {
  /** largest array (data bytes) accepted; larger ones are refused before reading them */
  readonly maxBytes?: number;
  /** file or entry name for error messages */
  readonly name?: string;
}

/** Default size limit of one array and of the arrays of one .npz together: 1 GiB. */
export const NPY_MAX_BYTES = 2 ** 30;
/** numpy's own reader refuses headers over 10,000 bytes by default (numpy.lib.format, max_header_size). */
export const NPY_MAX_HEADER = 10_000;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

interface DtypeInfo {
  readonly dtype: NpyDtype;
  readonly size: number;
  readonly make: (buf: ArrayBuffer) => NpyDataByDtype[NpyDtype];
}

/** numpy type codes (the part of 'descr' after the byte-order character) */
const CODES: Readonly<Record<string, DtypeInfo>> = {
  f2: { dtype: 'float16', size: 2, make: (b) => new Uint16Array(b) },
  f4: { dtype: 'float32', size: 4, make: (b) => new Float32Array(b) },
  f8: { dtype: 'float64', size: 8, make: (b) => new Float64Array(b) },
  i1: { dtype: 'int8', size: 1, make: (b) => new Int8Array(b) },
  i2: { dtype: 'int16', size: 2, make: (b) => new Int16Array(b) },
  i4: { dtype: 'int32', size: 4, make: (b) => new Int32Array(b) },
  i8: { dtype: 'int64', size: 8, make: (b) => new BigInt64Array(b) },
  u1: { dtype: 'uint8', size: 1, make: (b) => new Uint8Array(b) },
  u2: { dtype: 'uint16', size: 2, make: (b) => new Uint16Array(b) },
  u4: { dtype: 'uint32', size: 4, make: (b) => new Uint32Array(b) },
  u8: { dtype: 'uint64', size: 8, make: (b) => new BigUint64Array(b) },
  b1: { dtype: 'bool', size: 1, make: (b) => new Uint8Array(b) },
};
const CODE_OF: Readonly<Record<NpyDtype, string>> = Object.fromEntries(
  Object.entries(CODES).map(([code, info]) => [info.dtype, code]),
) as Record<NpyDtype, string>;

const REFUSED_KINDS: Readonly<Record<string, string>> = {
  c: 'complex', U: 'unicode string', S: 'byte string', a: 'byte string', O: 'object (pickled)', V: 'void/structured',
  M: 'datetime', m: 'timedelta',
};

// ------------------------------------------------------------------------------------------------
// The header: a Python dict literal
// ------------------------------------------------------------------------------------------------

type PyValue = string | number | boolean | PyValue[];

/** Parses the dict literal numpy writes: strings, ints (a trailing L from Python 2 allowed),
 * True/False and tuples; a list (structured dtype) or anything else is an error. */
function parseDictLiteral(text: string, where: string): Map<string, PyValue> {
  let i = 0;
  const fail = (why: string): never => {
    throw new InputError(`${where}: malformed .npy header (${why} at character ${i}): ${JSON.stringify(text.slice(0, 200))}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) fail('escaped string');
      i = end + 1;
      return s;
    }
    if (c === '(') {
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail("expected ',' or ')'");
      }
    }
    if (c === '[') fail('a list (structured dtypes are not supported)');
    const word = /^(True|False|-?\d+L?)/.exec(text.slice(i, i + 24));
    if (!word) return fail('unexpected token');
    i += word[0].length;
    if (word[0] === 'True' || word[0] === 'False') return word[0] === 'True';
    const n = Number(word[0].replace(/L$/, ''));
    if (!Number.isSafeInteger(n)) fail(`integer ${word[0]} out of range`);
    return n;
  };
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  const dict = new Map<string, PyValue>();
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = value();
    if (typeof key !== 'string') fail('a key that is not a string');
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    if (dict.has(key as string)) fail(`duplicate key '${String(key)}'`);
    dict.set(key as string, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) fail('text after the dict');
  return dict;
}

interface Header {
  readonly info: DtypeInfo;
  readonly bigEndian: boolean;
  readonly fortran: boolean;
  readonly shape: number[];
  readonly dataOffset: number;
}

function readHeader(bytes: Uint8Array, where: string): Header {
  if (bytes.length < 10 || MAGIC.some((m, k) => bytes[k] !== m)) {
    throw new InputError(`${where}: not an .npy file (no \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new InputError(`${where}: unsupported .npy version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new InputError(`${where}: truncated .npy header`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (headerLen > NPY_MAX_HEADER) throw new InputError(`${where}: .npy header of ${headerLen} bytes (limit ${NPY_MAX_HEADER})`);
  if (start + headerLen > bytes.length) {
    throw new InputError(`${where}: .npy header declares ${headerLen} bytes, the file has ${bytes.length - start} after the prefix`);
  }
  const raw = bytes.subarray(start, start + headerLen);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  const dict = parseDictLiteral(text, where);
  const keys = [...dict.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw new InputError(`${where}: .npy header keys are [${keys}], expected descr, fortran_order, shape`);
  }
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new InputError(`${where}: .npy 'descr' is not a string`);
  if (typeof fortran !== 'boolean') throw new InputError(`${where}: .npy 'fortran_order' is not True/False`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && d >= 0)) {
    throw new InputError(`${where}: .npy 'shape' is not a tuple of non-negative integers`);
  }
  const order = descr[0];
  const code = descr.slice(1);
  const info = CODES[code];
  if (!'<>|='.includes(order) || descr.length < 2) throw new InputError(`${where}: .npy descr '${descr}' has no byte order`);
  if (!info) {
    const kind = REFUSED_KINDS[code[0]];
    throw new InputError(
      `${where}: .npy dtype '${descr}'${kind ? ` (${kind})` : ''} is not supported; supported: ` +
        `${Object.values(CODES).map((c) => c.dtype).join(', ')}`,
    );
  }
  // '=' (native) never comes from np.save, which always writes '<', '>' or '|': its meaning
  // depends on the writer's machine, so refuse it instead of guessing
  if (order === '=') throw new InputError(`${where}: .npy descr '${descr}' has native byte order; expected '<', '>' or '|'`);
  return {
    info,
    bigEndian: order === '>' && info.size > 1,
    fortran,
    shape: shape as number[],
    dataOffset: start + headerLen,
  };
}

// ------------------------------------------------------------------------------------------------
// .npy
// ------------------------------------------------------------------------------------------------

/** Elements of a shape, refusing products beyond what a typed array can hold. */
function elements(shape: readonly number[], where: string): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw new InputError(`${where}: shape (${shape.join(', ')}) is too large`);
  }
  return n;
}

/** Byte image of a Fortran-order array reordered to C order. */
function fortranToC(src: Uint8Array, shape: readonly number[], size: number): Uint8Array<ArrayBuffer> {
  const n = src.length / size;
  const out = new Uint8Array(src.length);
  const rank = shape.length;
  const fstride = new Array<number>(rank);
  let s = 1;
  for (let k = 0; k < rank; k++) {
    fstride[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(rank).fill(0);
  let from = 0; // Fortran offset (in elements) of the C-order index idx
  for (let c = 0; c < n; c++) {
    out.set(src.subarray(from * size, from * size + size), c * size);
    // advance idx in C order (last axis fastest), keeping `from` in step
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      from += fstride[k];
      if (idx[k] < shape[k]) break;
      from -= fstride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Reads an .npy file's bytes. The data must be exactly what the header declares. */
export function parseNpy(bytes: Uint8Array, opts: NpyReadOptions = {}): NpyArray {
  const where = opts.name ?? '.npy';
  const maxBytes = opts.maxBytes ?? NPY_MAX_BYTES;
  const h = readHeader(bytes, where);
  const n = elements(h.shape, where);
  const dataBytes = n * h.info.size;
  if (dataBytes > maxBytes) throw new InputError(`${where}: array of ${dataBytes} bytes exceeds the limit of ${maxBytes}`);
  const have = bytes.length - h.dataOffset;
  if (have !== dataBytes) {
    throw new InputError(
      `${where}: header declares shape (${h.shape.join(', ')}) of ${h.info.dtype} = ${dataBytes} bytes, the file has ${have}`,
    );
  }
  // a fresh, aligned copy: the result never aliases the caller's buffer
  let body = bytes.slice(h.dataOffset, h.dataOffset + dataBytes);
  if (h.bigEndian) {
    const s = h.info.size;
    for (let off = 0; off < body.length; off += s) body.subarray(off, off + s).reverse();
  }
  if (h.fortran && h.shape.length > 1) body = fortranToC(body, h.shape, h.info.size);
  if (h.info.dtype === 'bool') for (let k = 0; k < body.length; k++) body[k] = body[k] !== 0 ? 1 : 0;
  return { dtype: h.info.dtype, shape: [...h.shape], data: h.info.make(body.buffer) };
}

function checkArray(a: NpyArray, where: string): void {
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new InputError(`${where}: bad shape [${a.shape.join(', ')}]`);
  const n = elements(a.shape, where);
  if (a.data.length !== n) throw new InputError(`${where}: ${a.data.length} elements for shape [${a.shape.join(', ')}]`);
  if (!(a.dtype in CODE_OF)) throw new InputError(`${where}: unknown dtype ${String(a.dtype)}`);
}

/** The bytes np.save writes for this array (version 1.0 header, C order, little-endian). */
export function encodeNpy(a: NpyArray): Uint8Array {
  checkArray(a, 'encodeNpy');
  const code = CODE_OF[a.dtype];
  const order = code[1] === '1' ? '|' : '<';
  const shapeRepr = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  // numpy 1.24 (_write_array_header) leaves room for the first axis to grow to 21 digits
  if (a.shape.length > 0) header += ' '.repeat(21 - String(a.shape[0]).length);
  const prefix = 10; // magic 6 + version 2 + uint16 length 2
  const pad = ALIGN - ((prefix + header.length + 1) % ALIGN);
  header += ' '.repeat(pad % ALIGN) + '\n';
  if (header.length > 0xffff) throw new InputError(`encodeNpy: header of ${header.length} bytes needs version 2.0`);
  const src = a.data;
  const dataBytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8Array(prefix + header.length + dataBytes.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k);
  out.set(dataBytes, prefix + header.length);
  if (a.dtype === 'bool') {
    const body = out.subarray(prefix + header.length);
    for (let k = 0; k < body.length; k++) body[k] = body[k] !== 0 ? 1 : 0;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// .npz
// ------------------------------------------------------------------------------------------------

/** Reads an .npz archive: every entry must be `<key>.npy`; keys in archive order. */
export function parseNpz(bytes: Uint8Array, opts: NpyReadOptions = {}): Map<string, NpyArray> {
  const where = opts.name ?? '.npz';
  const maxBytes = opts.maxBytes ?? NPY_MAX_BYTES;
  const names: string[] = [];
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      // runs before each entry is extracted: refuse oversized or unexpected entries first
      filter: (f) => {
        if (!f.name.endsWith('.npy')) throw new InputError(`${where}: entry '${f.name}' is not an .npy file`);
        if (names.includes(f.name)) throw new InputError(`${where}: entry '${f.name}' appears twice`);
        total += f.originalSize;
        if (total > maxBytes + names.length * NPY_MAX_HEADER + NPY_MAX_HEADER) {
          throw new InputError(`${where}: entries of more than ${maxBytes} bytes in all`);
        }
        names.push(f.name);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${where}: not a readable .npz (zip) archive: ${(e as Error).message}`);
  }
  const out = new Map<string, NpyArray>();
  let dataTotal = 0;
  for (const name of names) {
    const a = parseNpy(entries[name], { name: `${where}:${name}`, maxBytes: maxBytes - dataTotal });
    dataTotal += a.data.byteLength;
    out.set(name.slice(0, -'.npy'.length), a);
  }
  return out;
}

/** An .npz archive as np.savez (stored) or np.savez_compressed (deflated) would hold it. */
export function encodeNpz(arrays: ReadonlyMap<string, NpyArray> | Readonly<Record<string, NpyArray>>, compress = false): Uint8Array {
  const entries = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  const files: Zippable = {};
  for (const [key, a] of entries) {
    if (key.length === 0 || key.includes('/')) throw new InputError(`encodeNpz: bad array name '${key}'`);
    files[`${key}.npy`] = encodeNpy(a);
  }
  // a fixed time stamp keeps the bytes deterministic (numpy's writer uses the clock)
  return zipSync(files, { level: compress ? 6 : 0, mtime: new Date(1980, 0, 1) });
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------

function readBounded(path: string, maxBytes: number, slack: number): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (size > maxBytes + slack) throw new InputError(`${path}: ${size} bytes exceeds the limit of ${maxBytes} bytes of data`);
  return new Uint8Array(readFileSync(path));
}

export function readNpy(path: string, opts: Omit<NpyReadOptions, 'name'> = {}): NpyArray {
  const maxBytes = opts.maxBytes ?? NPY_MAX_BYTES;
  return parseNpy(readBounded(path, maxBytes, 12 + NPY_MAX_HEADER), { maxBytes, name: path });
}

export function readNpz(path: string, opts: Omit<NpyReadOptions, 'name'> = {}): Map<string, NpyArray> {
  const maxBytes = opts.maxBytes ?? NPY_MAX_BYTES;
  // a deflated archive can be smaller than its data, never much larger (stored + zip headers)
  return parseNpz(readBounded(path, maxBytes, 1 << 20), { maxBytes, name: path });
}

export function writeNpy(path: string, a: NpyArray): void {
  writeFileAtomic(path, encodeNpy(a));
}

export function writeNpz(
  path: string,
  arrays: ReadonlyMap<string, NpyArray> | Readonly<Record<string, NpyArray>>,
  compress = false,
): void {
  writeFileAtomic(path, encodeNpz(arrays, compress));
}
