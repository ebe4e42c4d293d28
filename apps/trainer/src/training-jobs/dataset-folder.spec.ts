import assert from 'node:assert/strict';
import {
  mkdir,
  mkdtemp,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveDatasetFolder } from './dataset-folder.js';

describe('resolveDatasetFolder', () => {
  let base: string;
  let root: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'fashion-dataset-folder-'));
    root = join(base, 'root');
    await mkdir(join(root, 'photos', 'Ankle boot', 'day-1'), {
      recursive: true,
    });
    await writeFile(join(root, 'photos', 'Ankle boot', 'day-1', 'a.jpg'), '');
    await mkdir(join(root, 'hidden-only', 'coat'), { recursive: true });
    await writeFile(join(root, 'hidden-only', 'coat', '.DS_Store'), '');
    await mkdir(join(base, 'outside', 'coat'), { recursive: true });
    await writeFile(join(base, 'outside', 'coat', 'a.png'), '');
    await symlink(join(base, 'outside'), join(root, 'out'));
    await symlink(join(root, 'photos'), join(root, 'alias'));
  });

  after(() => rm(base, { recursive: true, force: true }));

  it('resolves a folder inside the root to its real path', async () => {
    assert.equal(
      await resolveDatasetFolder(root, 'photos'),
      await realpath(join(root, 'photos')),
    );
    assert.equal(
      await resolveDatasetFolder(root, './alias/'),
      await realpath(join(root, 'photos')),
    );
  });

  const refusals: [string, RegExp][] = [
    ['../outside', /must not contain "\.\."/],
    ['photos/../../outside', /must not contain "\.\."/],
    ['/etc', /must be relative/],
    ['out', /leads outside the data root/],
    ['out/coat', /leads outside the data root/],
    ['missing', /no such folder in the data root/],
    ['photos/Ankle boot/day-1/a.jpg', /is not a folder/],
    ['hidden-only', /holds no images/],
    ['photos/Ankle boot', /holds no images/],
  ];
  for (const [path, message] of refusals) {
    it(`refuses ${path}`, async () => {
      await assert.rejects(resolveDatasetFolder(root, path), (error: Error) => {
        assert.match(error.message, /^dataset\.path /);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('names a missing data root', async () => {
    await assert.rejects(
      resolveDatasetFolder(join(root, 'no-root'), 'x'),
      /the data root does not exist/,
    );
  });
});
