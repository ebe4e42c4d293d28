import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import {
  ClassificationErrorCode,
  IMAGE_PIXELS,
  MAX_IMAGES_PER_REQUEST,
} from '#fmnist';
import { predictProbabilities } from '#fmnist/tensorflow';
import type { LoadedModel } from '../models/loaded-models.service.js';
import { ClassificationFailure } from './classification-failure.js';
import { ClassifierMetrics } from './classifier.metrics.js';

export interface Inference {
  /** Per image, the ten class probabilities in label order. */
  probabilities: number[][];
  inferenceMs: number;
  batchImages: number;
}

interface Job {
  model: LoadedModel;
  images: Uint8Array[];
  /** Epoch ms after which nobody waits for the answer. */
  deadline?: number;
  resolve: (inference: Inference) => void;
  reject: (error: unknown) => void;
}

/** Images per model call; bounded so one call never stalls the event loop for long. */
const MAX_BATCH_IMAGES = 4 * MAX_IMAGES_PER_REQUEST;

/**
 * Runs the model on micro-batches: requests that arrive while the model is busy (from the
 * partitions consumed concurrently) are classified together in the next call, because a small
 * call costs mostly its fixed part: one image 1.0 ms of CPU through default-cnn's graph, 64
 * images 5.4 ms (`ServingModel`).
 */
@Injectable()
export class InferenceService {
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(
    @InjectMetric(ClassifierMetrics.batchImages)
    private readonly batchImages: Histogram<string>,
    @InjectMetric(ClassifierMetrics.inferenceSeconds)
    private readonly inferenceSeconds: Histogram<string>,
  ) {}

  /** Rejects with a DEADLINE_EXCEEDED failure when `deadline` passes before the model call. */
  classify(
    model: LoadedModel,
    images: Uint8Array[],
    deadline?: number,
  ): Promise<Inference> {
    return new Promise((resolve, reject) => {
      this.queue.push({ model, images, deadline, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Requests handed over in the same turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.run(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The first queued job and the following ones for the same model, up to the batch size. Jobs
   * whose deadline has passed while they waited are dropped on the way, so they take no room.
   */
  private takeBatch(): Job[] {
    this.dropExpired();
    if (this.queue.length === 0) return [];
    const model = this.queue[0].model;
    const batch: Job[] = [];
    let images = 0;
    for (let index = 0; index < this.queue.length;) {
      const job = this.queue[index];
      const fits =
        batch.length === 0 || images + job.images.length <= MAX_BATCH_IMAGES;
      if (job.model === model && fits) {
        batch.push(job);
        images += job.images.length;
        this.queue.splice(index, 1);
      } else {
        index++;
      }
    }
    return batch;
  }

  private dropExpired(): void {
    const now = Date.now();
    for (let index = this.queue.length - 1; index >= 0; index--) {
      const job = this.queue[index];
      if (job.deadline !== undefined && job.deadline < now) {
        this.queue.splice(index, 1);
        job.reject(
          new ClassificationFailure(
            ClassificationErrorCode.deadlineExceeded,
            'the request waited for the model past its deadline',
          ),
        );
      }
    }
  }

  private async run(batch: Job[]): Promise<void> {
    if (batch.length === 0) return;
    const count = batch.reduce((sum, job) => sum + job.images.length, 0);
    const pixels = new Uint8Array(count * IMAGE_PIXELS);
    let offset = 0;
    for (const job of batch) {
      for (const image of job.images) {
        pixels.set(image, offset);
        offset += IMAGE_PIXELS;
      }
    }
    const started = performance.now();
    try {
      const values = await predictProbabilities(
        batch[0].model.model,
        pixels,
        count,
        count,
      );
      const inferenceMs = performance.now() - started;
      this.batchImages.observe(count);
      this.inferenceSeconds.observe(inferenceMs / 1000);
      let row = 0;
      for (const job of batch) {
        const probabilities = job.images.map(() =>
          Array.from(values.subarray(row * 10, ++row * 10)),
        );
        job.resolve({ probabilities, inferenceMs, batchImages: count });
      }
    } catch (error) {
      batch.forEach((job) => job.reject(error));
    }
  }
}
