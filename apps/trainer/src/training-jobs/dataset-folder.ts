import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { labelIndexOf } from '#fmnist';

/** Why a requested folder cannot be trained on; the message names the request field. */
export class DatasetFolderError extends Error {
  constructor(problem: string) {
    super(`dataset.path ${problem}`);
    this.name = 'DatasetFolderError';
  }
}

/** The folder named does not exist: a missing resource (404) rather than a malformed name. */
export class DatasetFolderMissingError extends DatasetFolderError {}

/**
 * The real location of `path`, a folder dataset named relative to `root`. Refuses anything that
 * could reach outside the root: absolute paths, `..` segments, and symbolic links that lead out
 * (checked on the resolved real paths, so a link anywhere on the way counts).
 */
export async function resolveDatasetFolder(
  root: string,
  path: string,
): Promise<string> {
  if (isAbsolute(path)) {
    throw new DatasetFolderError('must be relative to the data root');
  }
  if (path.split(/[\\/]/).includes('..')) {
    throw new DatasetFolderError('must not contain ".." segments');
  }
  const realRoot = await realpath(root).catch(() => {
    throw new DatasetFolderMissingError(
      `"${path}": no such folder (the data root does not exist)`,
    );
  });
  const real = await realpath(resolve(realRoot, path)).catch(() => {
    throw new DatasetFolderMissingError(
      `"${path}": no such folder in the data root`,
    );
  });
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw new DatasetFolderError(`"${path}" leads outside the data root`);
  }
  if (!(await stat(real)).isDirectory()) {
    throw new DatasetFolderError(`"${path}" is not a folder`);
  }
  if (!(await holdsLabelledFiles(real))) {
    throw new DatasetFolderError(
      `"${path}" holds no images: lay it out as <label>/<image file>`,
    );
  }
  return real;
}

/**
 * A cheap look before a job is queued: is there any file in a label folder? Decoding every image
 * is the worker's job (readFolderDataset), which reports undecodable files.
 */
async function holdsLabelledFiles(folder: string): Promise<boolean> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!entry.isDirectory() || labelIndexOf(entry.name) === undefined) {
      continue;
    }
    const files = await readdir(join(folder, entry.name), {
      recursive: true,
      withFileTypes: true,
    });
    if (files.some((file) => file.isFile() && !file.name.startsWith('.'))) {
      return true;
    }
  }
  return false;
}
