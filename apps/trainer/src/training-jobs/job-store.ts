import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import type { TrainingJob } from './training-job.js';

/**
 * Job records in one JSON file under TRAINER_DATA_DIR. Writes replace the file atomically (write
 * then rename), so a crash mid-write leaves the previous version, and they are coalesced: while
 * one write runs, later saves collapse into a single follow-up write of the newest state.
 */
@Injectable()
export class JobStore {
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
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as TrainingJob[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
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
      await writeFile(temporary, JSON.stringify(jobs, null, 1));
      await rename(temporary, this.file);
    }
  }
}
