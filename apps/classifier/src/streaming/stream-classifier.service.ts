import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { KafkaMessage, Message } from 'kafkajs';
import { hostname } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';
import sharp from 'sharp';
import {
  argMax,
  LABELS,
  MAX_IMAGES_PER_REQUEST,
  streamedImage,
  type StreamPrediction,
} from '#fmnist';
import { deadLetterRecord } from '../classification/dead-letter.service.js';
import { InferenceService } from '../classification/inference.service.js';
import type { ClassifierEnvironment } from '../config/classifier.environment.js';
import {
  LoadedModelsService,
  type LoadedModel,
} from '../models/loaded-models.service.js';

const classifierId = `${hostname()}:${process.pid}`;

/** What one slice of an input partition turns into: the messages to write, all or none. */
export interface ClassifiedSlice {
  predictions: Message[];
  deadLetters: Message[];
}

interface Decoded {
  message: KafkaMessage;
  pixels?: Uint8Array;
  error?: string;
  decodeMs: number;
}

/**
 * Turns messages of the input topic into their predictions, in input order, and the ones that
 * are no image into dead-letter records with the reason. The images go through the classifier's
 * own model queue, so they share micro-batches with the requests from `fashion-images`.
 */
@Injectable()
export class StreamClassifierService {
  private readonly decodes: LimitFunction;

  constructor(
    private readonly models: LoadedModelsService,
    private readonly inference: InferenceService,
    config: ConfigService<ClassifierEnvironment, true>,
  ) {
    this.decodes = pLimit(
      config.get('STREAM_DECODE_CONCURRENCY', { infer: true }),
    );
    // Parallelism comes from the bounded decodes; threads within one decode would only compete.
    sharp.concurrency(1);
  }

  /** Rejects (ClassificationFailure NO_MODEL) while no model is promoted: the slice must wait. */
  classify(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<ClassifiedSlice> {
    // Held for the slice: the idle sweep never disposes it under the slice's queued batches.
    return this.models.use(undefined, (model) =>
      this.classifyWith(model, topic, partition, messages),
    );
  }

  private async classifyWith(
    model: LoadedModel,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<ClassifiedSlice> {
    const fetchedAt = Date.now();
    const decoded = await Promise.all(
      messages.map((message) => this.decode(message)),
    );
    const images = decoded.filter((entry) => entry.pixels);
    const inferences = await Promise.all(
      chunks(images, MAX_IMAGES_PER_REQUEST).map((chunk) =>
        this.inference.classify(
          model,
          chunk.map((entry) => entry.pixels as Uint8Array),
        ),
      ),
    );
    const slice: ClassifiedSlice = { predictions: [], deadLetters: [] };
    let image = 0;
    for (const entry of decoded) {
      const { message } = entry;
      if (entry.error !== undefined) {
        const record = deadLetterRecord(
          { topic, partition, message },
          message.value,
          `undecodable streamed image: ${entry.error}`,
          classifierId,
        );
        slice.deadLetters.push({
          key: record.source.key,
          value: JSON.stringify(record),
        });
        continue;
      }
      const inference = inferences[Math.floor(image / MAX_IMAGES_PER_REQUEST)];
      const probabilities =
        inference.probabilities[image % MAX_IMAGES_PER_REQUEST];
      image++;
      const labelIndex = argMax(probabilities);
      const prediction: StreamPrediction = {
        label: LABELS[labelIndex].name,
        labelIndex,
        probabilities: Object.fromEntries(
          LABELS.map((label) => [label.name, probabilities[label.index]]),
        ),
        model: model.ref,
        source: { topic, partition, offset: message.offset },
        timings: {
          queueMs: Math.max(0, fetchedAt - Number(message.timestamp)),
          decodeMs: entry.decodeMs,
          inferenceMs: inference.inferenceMs,
          batchImages: inference.batchImages,
        },
        classifier: classifierId,
      };
      slice.predictions.push({
        key: message.key,
        value: JSON.stringify(prediction),
        headers: { 'content-type': 'application/json' },
      });
    }
    return slice;
  }

  private decode(message: KafkaMessage): Promise<Decoded> {
    return this.decodes(async () => {
      const started = performance.now();
      try {
        const pixels = await streamedImage(message.value, message.headers);
        return { message, pixels, decodeMs: performance.now() - started };
      } catch (error) {
        return {
          message,
          // Whatever the codec says: a message that fails here would fail on every retry.
          error: error instanceof Error ? error.message : String(error),
          decodeMs: performance.now() - started,
        };
      }
    });
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}
