/**
 * Fashion-MNIST loader: the test set committed under models/data/fmnist/ (the original
 * gzipped IDX files, see its README), or any pair of IDX files (gzipped or raw).
 *
 * IDX (LeCun's MNIST format): a big-endian header, then the data.
 *   images: magic 0x00000803 (unsigned bytes, 3 dims), count, rows, cols, then count*rows*cols pixels
 *   labels: magic 0x00000801 (unsigned bytes, 1 dim),  count, then count labels (0..9)
 *
 * Normalization the trained models (models/data/trained/) expect, each step in float32:
 *   x = ((pixel / 255) - FMNIST_MEAN) / FMNIST_STD
 * with the training set's pixel mean and standard deviation rounded to 4 digits
 * (0.28604..., 0.35302...). `normalizeImages` is bit-identical to the NumPy float32 code in
 * models/train/common.py.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.ts';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../sim/errors.ts';

/** folder of the committed test set */
export const FMNIST_DIR = packageFile('models/data/fmnist/');
export const FMNIST_TEST_IMAGES = 't10k-images-idx3-ubyte.gz';
export const FMNIST_TEST_LABELS = 't10k-labels-idx1-ubyte.gz';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** training-set pixel mean and standard deviation (of pixel / 255), as used in training */
export const FMNIST_MEAN = 0.286;
export const FMNIST_STD = 0.353;

export const FMNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export interface ImageSet {
  /** count * rows * cols pixels, image-major, row-major within an image */
  readonly images: Uint8Array;
  /** count labels, 0..9 */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

export interface FmnistSet extends ImageSet {
  readonly rows: 28;
  readonly cols: 28;
}

export interface LoadOptions {
  /** folder holding the two files (default: the committed test set) */
  readonly dir?: string;
  /** file names inside `dir` (default: the t10k names) */
  readonly imagesFile?: string;
  readonly labelsFile?: string;
  /** keep only the first `limit` images (a positive integer, at most the count) */
  readonly limit?: number;
}

function readBytes(path: string, what: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the Fashion-MNIST ${what} file (${code ?? String(err)})`);
  }
  // gzip member: 1f 8b
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new InputError(`${path}: corrupt or truncated gzip data in the ${what} file (${msg})`);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

function header(bytes: Uint8Array, path: string, what: string, magic: number, dims: number): number[] {
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) {
    throw new InputError(`${path}: ${bytes.length} bytes, too short for an IDX ${what} header (${headerBytes} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
    throw new InputError(`${path}: IDX magic number ${hex(got)}, expected ${hex(magic)} (${what}: unsigned bytes, ${dims} dimension${dims > 1 ? 's' : ''})`);
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
}

/** Parses IDX image bytes (already gunzipped). `path` names the file in errors. */
export function parseIdxImages(bytes: Uint8Array, path: string): { images: Uint8Array; count: number; rows: number; cols: number } {
  const [count, rows, cols] = header(bytes, path, 'images', IDX_IMAGES_MAGIC, 3);
  if (rows === 0 || cols === 0) throw new InputError(`${path}: images of ${rows} x ${cols} pixels`);
  const need = 16 + count * rows * cols;
  if (bytes.length !== need) {
    throw new InputError(
      `${path}: ${bytes.length} bytes, expected ${need} (16-byte header + ${count} images of ${rows} x ${cols})` +
      (bytes.length < need ? ': truncated' : ': trailing data'),
    );
  }
  return { images: bytes.subarray(16), count, rows, cols };
}

/** Parses IDX label bytes (already gunzipped); labels must be 0..9. */
export function parseIdxLabels(bytes: Uint8Array, path: string): { labels: Uint8Array; count: number } {
  const [count] = header(bytes, path, 'labels', IDX_LABELS_MAGIC, 1);
  const need = 8 + count;
  if (bytes.length !== need) {
    throw new InputError(
      `${path}: ${bytes.length} bytes, expected ${need} (8-byte header + ${count} labels)` +
      (bytes.length < need ? ': truncated' : ': trailing data'),
    );
  }
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new InputError(`${path}: label ${labels[bad]} at index ${bad}; labels must be 0..9`);
  return { labels, count };
}

/** Loads a pair of IDX files (gzipped or raw) and checks that they belong together. */
export function loadIdxPair(imagesPath: string, labelsPath: string, limit?: number): ImageSet {
  const img = parseIdxImages(readBytes(imagesPath, 'images'), imagesPath);
  const lab = parseIdxLabels(readBytes(labelsPath, 'labels'), labelsPath);
  if (img.count !== lab.count) {
    throw new InputError(`${imagesPath} holds ${img.count} images but ${labelsPath} holds ${lab.count} labels`);
  }
  let count = img.count;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit <= 0) throw new InputError(`limit must be a positive integer, got ${limit}`);
    count = Math.min(limit, count);
  }
  const px = img.rows * img.cols;
  // copies: the views would otherwise keep the whole decompressed buffer alive
  return {
    images: img.images.slice(0, count * px),
    labels: lab.labels.slice(0, count),
    count,
    rows: img.rows,
    cols: img.cols,
  };
}

/** The Fashion-MNIST test set (10,000 images of 28 x 28) committed in the repo, or a copy elsewhere. */
export function loadFmnist(opts: LoadOptions = {}): FmnistSet {
  const dir = opts.dir ?? FMNIST_DIR;
  const imagesPath = join(dir, opts.imagesFile ?? FMNIST_TEST_IMAGES);
  const labelsPath = join(dir, opts.labelsFile ?? FMNIST_TEST_LABELS);
  const set = loadIdxPair(imagesPath, labelsPath, opts.limit);
  if (set.rows !== 28 || set.cols !== 28) {
    throw new InputError(`${imagesPath}: images of ${set.rows} x ${set.cols} pixels, Fashion-MNIST has 28 x 28`);
  }
  return { ...set, rows: 28, cols: 28 };
}

const MEAN32 = Math.fround(FMNIST_MEAN);
const STD32 = Math.fround(FMNIST_STD);

/** One pixel as the models see it: ((p / 255) - mean) / std, each step rounded to float32. */
export function normalizePixel(p: number): number {
  return Math.fround(Math.fround(Math.fround(p / 255) - MEAN32) / STD32);
}

const TABLE = Float32Array.from({ length: 256 }, (_, p) => normalizePixel(p));

/**
 * Images start .. start+count-1 as model input, float32 [count, 1, rows, cols] (NCHW).
 * (Each float64 step rounded once to float32 equals the float32 operation: the operands are
 * float32 and double has more than twice float32's precision.)
 */
export function normalizeImages(set: ImageSet, start = 0, count = 1): Float32Array {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > set.count) {
    throw new InputError(`images ${start}..${start + count - 1} out of range: the set holds ${set.count}`);
  }
  const px = set.rows * set.cols;
  return normalizePixels(set.images.subarray(start * px, (start + count) * px));
}

/** Raw pixels (0..255) normalized, as normalizeImages gives them. */
export function normalizePixels(src: Uint8Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = TABLE[src[i]];
  return out;
}
