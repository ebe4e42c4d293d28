import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FMNIST_DIR, imageAt } from '../../test/support/dataset.js';
import { loadFashionMnist } from './idx.js';
import type { LabelledImages } from '../image/image-format.js';
import { exportPngs, pngExportPath } from './png-export.js';

describe('exportPngs', () => {
  let out: string;
  let test: LabelledImages;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'fmnist-export-'));
    test = await loadFashionMnist(FMNIST_DIR, 'test');
  });
  after(() => rm(out, { recursive: true, force: true }));

  it('writes each image as a 28x28 grayscale PNG under <split>/<label-slug>/<index>.png', async () => {
    const progress: number[] = [];
    const result = await exportPngs({
      dir: FMNIST_DIR,
      out,
      splits: ['test'],
      limit: 50,
      onProgress: (done, total) => {
        assert.equal(total, 50);
        progress.push(done);
      },
    });
    assert.deepEqual(result, { total: 50, written: 50, skipped: 0 });
    assert.equal(progress.length, 50);
    assert.equal(progress.at(-1), 50);

    // The first test image is an ankle boot, the second a pullover.
    assert.equal(
      pngExportPath(out, 'test', 9, 0),
      join(out, 'test', 'ankle-boot', '0.png'),
    );
    const files = (
      await readdir(join(out, 'test'), { recursive: true })
    ).filter((f) => f.endsWith('.png'));
    assert.equal(files.length, 50);
    assert.ok(files.includes(join('ankle-boot', '0.png')));
    assert.ok(files.includes(join('pullover', '1.png')));

    const png = sharp(join(out, 'test', 'pullover', '1.png'));
    const { width, height, channels } = await png.metadata();
    assert.deepEqual(
      { width, height, channels },
      { width: 28, height: 28, channels: 1 },
    );
    const pixels = await png.toColourspace('b-w').raw().toBuffer();
    assert.deepEqual(new Uint8Array(pixels), imageAt(test.images, 1));
  });

  it('skips the files an earlier run completed and leaves them untouched', async () => {
    const first = join(out, 'test', 'ankle-boot', '0.png');
    const before = (await stat(first)).mtimeMs;
    const result = await exportPngs({
      dir: FMNIST_DIR,
      out,
      splits: ['test'],
      limit: 60,
    });
    assert.deepEqual(result, { total: 60, written: 10, skipped: 50 });
    assert.equal((await stat(first)).mtimeMs, before);
    const leftovers = (await readdir(out, { recursive: true })).filter((f) =>
      f.includes('.partial'),
    );
    assert.deepEqual(leftovers, []);
  });

  it('merges splits into one folder per label, naming files by split', async () => {
    const merged = join(out, 'merged');
    await exportPngs({
      dir: FMNIST_DIR,
      out: merged,
      splits: ['train', 'test'],
      merge: true,
      limit: 5,
    });
    const files = (await readdir(join(merged, 'all'), { recursive: true }))
      .filter((f) => f.endsWith('.png'))
      .sort();
    assert.equal(files.length, 10);
    assert.ok(files.includes(join('ankle-boot', 'test-0.png')));
    assert.ok(files.includes(join('ankle-boot', 'train-0.png')));
    assert.ok(
      (await readFile(join(merged, 'all', 'ankle-boot', 'train-0.png')))
        .length > 0,
    );
  });
});
