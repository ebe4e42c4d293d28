import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import type { TrainingJob } from './training-job.js';

/**
 * Job records in one JSON file under TRAINER_DATA_DIR. Writes replace the file atomically (write,
 * fsync, then rename, and fsync of the folder), so a crash or a power cut mid-write leaves the
 * previous version, and they are coalesced: while one write runs, later saves collapse into a
 * single follow-up write of the newest state. A file that cannot be read as records anyway (empty,
 * corrupt) is kept aside for its owner and the trainer starts with none, saying so loudly, rather
 * than refusing to start.
 */
@Injectable()
export class JobStore {
  private readonly logger = new Logger(JobStore.name);
  private readonly file: string;
  private writing?: Promise<void>;
  private pending?: readonly TrainingJob[];

  constructor(config: ConfigService<TrainerEnvironment, true>) {
    this.file = join(
      resolve(config.get('TRAINER_DATA_DIR', { infer: true })),
      'jobs.json',
    );
  }

  get location(): string {
    return this.file;
  }

  async load(): Promise<TrainingJob[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const jobs: unknown = JSON.parse(text);
      if (Array.isArray(jobs)) return jobs as TrainingJob[];
      throw new Error('not a list of jobs');
    } catch (error) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside);
      this.logger.error(
        `the job records in ${this.file} cannot be read (${(error as Error).message}): kept as ${aside}, starting with no jobs`,
      );
      return [];
    }
  }

  save(jobs: readonly TrainingJob[]): Promise<void> {
    this.pending = structuredClone(jobs);
    this.writing ??= this.drain().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const jobs = this.pending;
      this.pending = undefined;
      await mkdir(join(this.file, '..'), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeSynced(temporary, JSON.stringify(jobs, null, 1));
      await rename(temporary, this.file);
      await syncFolder(join(this.file, '..'));
    }
  }
}

/** Writes the file and waits until its content is on the disk. */
async function writeSynced(file: string, content: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename in the folder durable. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
