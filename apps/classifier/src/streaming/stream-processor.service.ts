import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import kafkajs, {
  type Consumer,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import {
  ClassificationErrorCode,
  streamTopicSpecs,
  STREAM_PARTITIONS,
  Topics,
} from '#fmnist';
import {
  ensureTopics,
  appKafkaConfig,
  restartAfterFatalCrash,
} from '#platform';
import { ClassificationFailure } from '../classification/classification-failure.js';
import type { ClassifierEnvironment } from '../config/classifier.environment.js';
import { StreamClassifierService } from './stream-classifier.service.js';
import { StreamMetrics } from './stream.metrics.js';

const { Kafka: KafkaClient, Partitioners } = kafkajs;

/** Input messages per transaction: bounds what a crash makes the next owner redo. */
const MESSAGES_PER_TRANSACTION = 512;
const NO_MODEL_WAIT_MS = 1000;

/**
 * The streaming path, exactly once: each slice of an input partition is read, classified and
 * written in one Kafka transaction together with the consumer group's offset for it, so its
 * predictions and dead letters become visible to `read_committed` readers if and only if the
 * offset moves past it.
 *
 * Each input partition has its own transactional producer, its id derived from the group, the
 * topic and the partition: whichever replica owns the partition next opens the same id, which
 * aborts what a killed or stalled previous owner left open and fences it off, so its late
 * commits fail instead of duplicating results (kafkajs does not send the group's generation with
 * the offsets, which the per-replica ids of KIP-447 need).
 */
@Injectable()
export class StreamProcessorService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(StreamProcessorService.name);
  private readonly kafka: Kafka;
  private readonly producers = new Map<number, Promise<Producer>>();
  private readonly settings;
  private consumer?: Consumer;
  private stopRestarts?: () => void;

  constructor(
    private readonly classifier: StreamClassifierService,
    private readonly metrics: StreamMetrics,
    config: ConfigService<ClassifierEnvironment, true>,
  ) {
    const get = <K extends keyof ClassifierEnvironment>(key: K) =>
      config.get(key, { infer: true });
    this.settings = {
      enabled: get('STREAM_ENABLED'),
      input: get('STREAM_INPUT_TOPIC'),
      output: get('STREAM_OUTPUT_TOPIC'),
      groupId: get('STREAM_GROUP_ID'),
      inputRetentionMs: get('STREAM_INPUT_RETENTION_MS'),
    };
    this.kafka = new KafkaClient(appKafkaConfig(config, 'stream-classifier'));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.enabled) return;
    const { input, output, groupId } = this.settings;
    await this.ensureTopics();
    const consumer = this.kafka.consumer({
      groupId,
      // Only committed results of upstream transactions are classified; aborted ones never were.
      readUncommitted: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      this.releaseRevoked(payload.memberAssignment[input] ?? []),
    );
    await consumer.connect();
    // A new group classifies everything the topic still holds: nothing produced before the
    // first classifier started is skipped.
    await consumer.subscribe({ topic: input, fromBeginning: true });
    const run: ConsumerRunConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: STREAM_PARTITIONS,
      eachBatch: (payload) => this.processBatch(payload),
    };
    this.stopRestarts = restartAfterFatalCrash(
      consumer,
      () => consumer.run(run),
      this.logger,
    );
    await consumer.run(run);
    this.logger.log(
      `classifying ${input} into ${output} exactly once (group ${groupId})`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopRestarts?.();
    // Lets the slices in flight commit, then leaves the group so the partitions move at once.
    await this.consumer?.disconnect();
    await Promise.all(
      [...this.producers.keys()].map((partition) =>
        this.releaseProducer(partition),
      ),
    );
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (
      let start = 0;
      start < batch.messages.length &&
      payload.isRunning() &&
      !payload.isStale();
    ) {
      const messages = batch.messages.slice(
        start,
        start + MESSAGES_PER_TRANSACTION,
      );
      if (!(await this.processSlice(topic, partition, messages))) {
        // No model yet: nothing is resolved, so the same messages are fetched again.
        await payload.heartbeat();
        await new Promise((resolve) => setTimeout(resolve, NO_MODEL_WAIT_MS));
        return;
      }
      payload.resolveOffset(messages[messages.length - 1].offset);
      start += messages.length;
      await payload.heartbeat();
    }
  }

  /** False when the slice must wait for a model; throws when the transaction failed. */
  private async processSlice(
    topic: string,
    partition: number,
    messages: EachBatchPayload['batch']['messages'],
  ): Promise<boolean> {
    let slice;
    try {
      slice = await this.classifier.classify(topic, partition, messages);
    } catch (error) {
      if (
        error instanceof ClassificationFailure &&
        error.code === ClassificationErrorCode.noModel
      ) {
        return false;
      }
      throw error;
    }
    const producer = await this.producerFor(partition);
    const transaction = await producer.transaction();
    try {
      if (slice.predictions.length > 0) {
        await transaction.send({
          topic: this.settings.output,
          messages: slice.predictions,
        });
      }
      if (slice.deadLetters.length > 0) {
        await transaction.send({
          topic: Topics.imagesDeadLetter,
          messages: slice.deadLetters,
        });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.settings.groupId,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                offset: String(
                  BigInt(messages[messages.length - 1].offset) + 1n,
                ),
              },
            ],
          },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // Fenced or broken: the next attempt opens the id anew, which settles its state.
      await this.releaseProducer(partition);
      throw error;
    }
    this.metrics.record(slice);
    return true;
  }

  private producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      const { groupId, input } = this.settings;
      const created = this.kafka.producer({
        transactionalId: `${groupId}.${input}.${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 30_000,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(partition));
      this.producers.set(partition, producer);
    }
    return producer;
  }

  private async releaseProducer(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await producer
      ?.then((connected) => connected.disconnect())
      .catch(() => undefined);
  }

  /** The producers of partitions another replica owns now would only be fenced. */
  private releaseRevoked(assigned: number[]): void {
    for (const partition of this.producers.keys()) {
      if (!assigned.includes(partition)) void this.releaseProducer(partition);
    }
  }

  /** The configured topics may be others than the launcher creates. */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(
        admin,
        streamTopicSpecs(
          this.settings.input,
          this.settings.output,
          this.settings.inputRetentionMs,
        ),
      );
    } finally {
      await admin.disconnect();
    }
  }
}
