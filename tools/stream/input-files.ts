import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { labelIndexOf } from '#fmnist';

export interface InputFile {
  path: string;
  /** How results name it: its path relative to the folder given, or as given. */
  source: string;
  /** The class its folder names (`<folder>/<label>/...`, or a file's own folder), if any. */
  label?: number;
}

const hidden = (name: string) => name.startsWith('.');

/** The files named, and every file under the folders named (hidden ones left out), in order. */
export async function listInputFiles(paths: string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push({
        path,
        source: path,
        label: labelIndexOf(basename(dirname(path))),
      });
      continue;
    }
    const found: InputFile[] = [];
    for (const entry of await readdir(path, {
      recursive: true,
      withFileTypes: true,
    })) {
      const file = join(entry.parentPath, entry.name);
      const source = relative(path, file);
      if (!entry.isFile() || source.split('/').some(hidden)) continue;
      const [top, ...rest] = source.split('/');
      found.push({
        path: file,
        source,
        label: rest.length > 0 ? labelIndexOf(top) : undefined,
      });
    }
    files.push(...found.sort((a, b) => a.source.localeCompare(b.source)));
  }
  return files;
}
