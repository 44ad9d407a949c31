/** Fashion-MNIST loader: the committed test set, normalization, and bad files. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FMNIST_DIR, FMNIST_MEAN, FMNIST_STD, FMNIST_TEST_IMAGES, FMNIST_TEST_LABELS,
  loadFmnist, normalizeImages, normalizePixel, type FmnistSet,
} from '../../models/data/fmnist.ts';
import { InputError } from '../../sim/errors.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('Fashion-MNIST test set (committed)', () => {
  let set: FmnistSet;
  beforeAll(() => {
    set = loadFmnist();
  });

  it('holds 10,000 images of 28 x 28 and 1,000 of each class', () => {
    expect(set.count).toBe(10_000);
    expect([set.rows, set.cols]).toEqual([28, 28]);
    expect(set.images.length).toBe(10_000 * 784);
    expect(set.labels.length).toBe(10_000);
    const hist = new Array<number>(10).fill(0);
    for (const l of set.labels) hist[l]++;
    expect(hist).toEqual(new Array<number>(10).fill(1000));
  });

  it('has the known content (hashes from models/train/common.py, first labels, pixels)', () => {
    expect(sha256(set.images)).toBe('c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a');
    expect(sha256(set.labels)).toBe('3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9');
    expect(Array.from(set.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(set.images[14 * 28 + 14]).toBe(110); // image 0, row 14, col 14
    expect(set.images[784 + 14 * 28 + 14]).toBe(234); // image 1
    expect(set.images[577]).toBe(255);
    let sum = 0;
    for (const p of set.images) sum += p;
    expect(sum).toBe(573_469_082);
  });

  it('limit keeps the first images', () => {
    const s = loadFmnist({ limit: 100 });
    expect(s.count).toBe(100);
    expect(s.images).toEqual(set.images.subarray(0, 100 * 784));
    expect(s.labels).toEqual(set.labels.subarray(0, 100));
    expect(() => loadFmnist({ limit: 0 })).toThrow(/limit must be a positive integer/);
  });

  it('normalizes bit-identically to the NumPy float32 code used in training', () => {
    expect(FMNIST_MEAN).toBe(0.286);
    expect(FMNIST_STD).toBe(0.353);
    const x = normalizeImages(set, 0, 10);
    expect(x.length).toBe(7840);
    const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength); // little-endian float32
    expect(sha256(bytes)).toBe('83964e2432983b5315a8388e70b15fc3d3ebb802148d5ac6f24cf350e5d454dd');
    expect(x[0]).toBe(Math.fround(-0.8101983666419983));
    expect(normalizePixel(255)).toBe(Math.fround(2.022662878036499));
    expect(x[14 * 28 + 14]).toBe(Math.fround(0.41182023));
    expect(() => normalizeImages(set, 9_999, 2)).toThrow(InputError);
  });
});

describe('Fashion-MNIST bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-fmnist-'));
  const images = readFileSync(join(FMNIST_DIR, FMNIST_TEST_IMAGES));
  const labels = readFileSync(join(FMNIST_DIR, FMNIST_TEST_LABELS));
  const rawImages = gunzipSync(images);
  const rawLabels = gunzipSync(labels);
  const write = (name: string, data: Uint8Array) => {
    writeFileSync(join(dir, name), data);
    return name;
  };
  const load = (imagesFile: string, labelsFile = write('labels-ok.gz', labels)) => () => loadFmnist({ dir, imagesFile, labelsFile });

  it('a missing file names the file', () => {
    expect(() => loadFmnist({ dir, imagesFile: 'nope.gz' })).toThrow(InputError);
    expect(() => loadFmnist({ dir, imagesFile: 'nope.gz' })).toThrow(/nope\.gz: cannot read the Fashion-MNIST images file \(ENOENT\)/);
  });

  it('a truncated gzip file is reported as corrupt or truncated', () => {
    const f = write('trunc.gz', images.subarray(0, images.length >> 1));
    expect(load(f)).toThrow(InputError);
    expect(load(f)).toThrow(/trunc\.gz: corrupt or truncated gzip data in the images file/);
  });

  it('a truncated IDX payload gives the expected and actual sizes', () => {
    const f = write('short.idx', rawImages.subarray(0, 16 + 5000 * 784 + 3));
    expect(load(f)).toThrow(/short\.idx: 3920019 bytes, expected 7840016 \(16-byte header \+ 10000 images of 28 x 28\): truncated/);
    const g = write('short.gz', gzipSync(rawImages.subarray(0, 10)));
    expect(load(g)).toThrow(/short\.gz: 10 bytes, too short for an IDX images header \(16 bytes\)/);
    const l = write('labels-short.gz', gzipSync(rawLabels.subarray(0, 5000)));
    expect(() => loadFmnist({ dir, imagesFile: write('ok.gz', images), labelsFile: l })).toThrow(/labels-short\.gz: 5000 bytes, expected 10008 .*truncated/);
  });

  it('a wrong magic number names both magics (images and labels swapped)', () => {
    const f = write('swapped.gz', labels);
    expect(load(f)).toThrow(/swapped\.gz: IDX magic number 0x00000801, expected 0x00000803 \(images: unsigned bytes, 3 dimensions\)/);
    expect(() => loadFmnist({ dir, imagesFile: write('ok.gz', images), labelsFile: write('l-swapped.gz', images) }))
      .toThrow(/l-swapped\.gz: IDX magic number 0x00000803, expected 0x00000801/);
  });

  it('raw (not gzipped) IDX files load too; mismatched counts, sizes and labels are errors', () => {
    const s = loadFmnist({ dir, imagesFile: write('raw-images', rawImages), labelsFile: write('raw-labels', rawLabels), limit: 3 });
    expect(Array.from(s.labels)).toEqual([9, 2, 1]);
    // labels file with 9,999 entries
    const l = Buffer.from(rawLabels.subarray(0, 8 + 9_999));
    l.writeUInt32BE(9_999, 4);
    expect(() => loadFmnist({ dir, imagesFile: 'raw-images', labelsFile: write('l9999', l) }))
      .toThrow(/raw-images holds 10000 images but .*l9999 holds 9999 labels/);
    // a label out of range
    const bad = Buffer.from(rawLabels);
    bad[8 + 42] = 10;
    expect(() => loadFmnist({ dir, imagesFile: 'raw-images', labelsFile: write('l-bad', bad) }))
      .toThrow(/l-bad: label 10 at index 42; labels must be 0\.\.9/);
    // 14 x 14 images are valid IDX but not Fashion-MNIST
    const small = Buffer.alloc(16 + 10_000 * 196);
    small.writeUInt32BE(0x803, 0);
    small.writeUInt32BE(10_000, 4);
    small.writeUInt32BE(14, 8);
    small.writeUInt32BE(14, 12);
    expect(() => loadFmnist({ dir, imagesFile: write('small', small), labelsFile: 'raw-labels' }))
      .toThrow(/small: images of 14 x 14 pixels, Fashion-MNIST has 28 x 28/);
  });
});
