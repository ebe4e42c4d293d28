import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  FMNIST_DIR,
  asProductPhoto,
  imageAt,
} from '../../test/support/dataset.js';
import { FolderDatasetError, readFolderDataset } from './folder-dataset.js';
import { loadFashionMnist } from './idx.js';
import type { LabelledImages } from '../image/image-format.js';
import { encodePng } from './png-export.js';

describe('readFolderDataset', () => {
  let root: string;
  let test: LabelledImages;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fmnist-folder-'));
    test = await loadFashionMnist(FMNIST_DIR, 'test');
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** Writes files into a new dataset folder: `{ 'bag/1.png': bytes }`. */
  const folder = async (
    name: string,
    files: Record<string, Buffer | string>,
  ) => {
    const dir = join(root, name);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  };

  it('reads images from folders named by slug, name or index, through the preprocessing', async () => {
    // Test images 0 (ankle boot), 1 (pullover), 2 and 3 (trousers), 4 (shirt).
    const dir = await folder('good', {
      'ankle-boot/0.png': await encodePng(imageAt(test.images, 0)),
      'Pullover/1.png': await encodePng(imageAt(test.images, 1)),
      '1/2.png': await encodePng(imageAt(test.images, 2)),
      '1/more/3.jpg': await asProductPhoto(imageAt(test.images, 3)),
      'shirt/4.png': await encodePng(imageAt(test.images, 4)),
      'shirt/.DS_Store': 'not an image',
      'README.txt': 'files outside a label folder are left out',
    });
    const dataset = await readFolderDataset(dir);
    assert.equal(dataset.count, 5);
    assert.deepEqual(dataset.files, [
      join('1', '2.png'),
      join('1', 'more', '3.jpg'),
      join('Pullover', '1.png'),
      join('ankle-boot', '0.png'),
      join('shirt', '4.png'),
    ]);
    assert.deepEqual([...dataset.labels], [1, 1, 2, 9, 6]);
    assert.deepEqual(dataset.images.subarray(0, 784), imageAt(test.images, 2));
    assert.deepEqual(
      dataset.images.subarray(3 * 784, 4 * 784),
      imageAt(test.images, 0),
    );
    // The photo went through the same preprocessing as an upload: not exact, but a trouser.
    assert.ok(
      dataset.images.subarray(784, 2 * 784).some((value) => value > 100),
    );
  });

  it('reports every unknown label folder and undecodable file by name', async () => {
    const dir = await folder('bad', {
      'hats/0.png': await encodePng(imageAt(test.images, 0)),
      'bag/notes.png': 'a text file named .png',
      'bag/empty.png': '',
      'bag/ok.png': await encodePng(imageAt(test.images, 0)),
    });
    await assert.rejects(readFolderDataset(dir), (error) => {
      assert.ok(error instanceof FolderDatasetError);
      assert.equal(error.problems.length, 3);
      assert.match(error.message, /hats\/: not a class/);
      assert.match(
        error.message,
        /bag\/notes\.png: not an image of an accepted format/,
      );
      assert.match(error.message, /bag\/empty\.png: the file is empty/);
      return true;
    });
  });

  it('refuses a folder without images', async () => {
    const dir = await folder('empty', { 'bag/.keep': '' });
    await assert.rejects(readFolderDataset(dir), /no images in label folders/);
  });
});
