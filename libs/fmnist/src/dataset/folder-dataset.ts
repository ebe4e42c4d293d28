import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import pMap from 'p-map';
import { IMAGE_PIXELS, type LabelledImages } from '../image/image-format.js';
import { LABELS, labelIndexOf } from '../labels.js';
import { preprocessImage } from '../image/preprocess.js';

export interface FolderDataset extends LabelledImages {
  /** Path of each image relative to the folder, in the order of `images` and `labels`. */
  readonly files: readonly string[];
}

/** What is wrong with a folder dataset, every problem with the file or folder it concerns. */
export class FolderDatasetError extends Error {
  constructor(
    readonly root: string,
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, 20);
    const more = problems.length - shown.length;
    super(
      `the dataset folder ${root} cannot be used:\n` +
        shown.map((problem) => `  ${problem}`).join('\n') +
        (more > 0 ? `\n  and ${more} more` : ''),
    );
    this.name = 'FolderDatasetError';
  }
}

const hidden = (name: string) => name.startsWith('.');

/**
 * Reads a folder laid out `<label>/<file>` (label = slug, name or index; files may sit in
 * sub-folders) through the same preprocessing as uploads. Hidden files and files outside a label
 * folder are left out. All problems are collected and reported at once.
 */
export async function readFolderDataset(root: string): Promise<FolderDataset> {
  const problems: string[] = [];
  const entries: { file: string; label: number }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || hidden(entry.name)) continue;
    const label = labelIndexOf(entry.name);
    if (label === undefined) {
      problems.push(
        `${entry.name}/: not a class; name folders by slug (${LABELS.map((l) => l.slug).join(', ')}), name or index 0-9`,
      );
      continue;
    }
    const folder = join(root, entry.name);
    for (const file of await readdir(folder, {
      recursive: true,
      withFileTypes: true,
    })) {
      const path = join(file.parentPath, file.name);
      if (file.isFile() && !relative(folder, path).split('/').some(hidden)) {
        entries.push({ file: relative(root, path), label });
      }
    }
  }
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  const images = new Uint8Array(entries.length * IMAGE_PIXELS);
  await pMap(
    entries.entries(),
    async ([index, { file }]) => {
      try {
        const { pixels } = await preprocessImage(
          await readFile(join(root, file)),
        );
        images.set(pixels, index * IMAGE_PIXELS);
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
      }
    },
    { concurrency: availableParallelism() * 2 },
  );
  if (entries.length === 0 && problems.length === 0) {
    problems.push('no images in label folders');
  }
  if (problems.length > 0) throw new FolderDatasetError(root, problems.sort());
  return {
    images,
    labels: Uint8Array.from(entries, (entry) => entry.label),
    count: entries.length,
    files: entries.map((entry) => entry.file),
  };
}
