import { Injectable, Logger } from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { Topics, type DeadLetterRecord } from '#fmnist';

/**
 * Keeps messages the classifier cannot process in `fashion-images.dlq`, with the reason, so
 * nothing is dropped silently and the partition moves on.
 */
@Injectable()
export class DeadLetterService {
  private readonly logger = new Logger(DeadLetterService.name);

  async publish(
    context: KafkaContext,
    value: Buffer | null,
    error: string,
    consumer: string,
  ): Promise<void> {
    const record = deadLetterRecord(
      {
        topic: context.getTopic(),
        partition: context.getPartition(),
        message: context.getMessage(),
      },
      value,
      error,
      consumer,
    );
    this.logger.warn(
      `dead-lettered ${record.source.topic}/${record.source.partition}@${record.source.offset}: ${error}`,
    );
    await context.getProducer().send({
      topic: Topics.imagesDeadLetter,
      messages: [{ key: record.source.key, value: JSON.stringify(record) }],
    });
  }
}

/** How a message that cannot be processed is kept: its origin, bytes, headers and the reason. */
export function deadLetterRecord(
  origin: { topic: string; partition: number; message: KafkaMessage },
  value: Buffer | null,
  error: string,
  consumer: string,
): DeadLetterRecord {
  const { message } = origin;
  return {
    source: {
      topic: origin.topic,
      partition: origin.partition,
      offset: message.offset,
      key:
        message.key === null || message.key === undefined
          ? null
          : String(message.key),
    },
    value: value ? value.toString('base64') : null,
    headers: Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, header]) => [
        name,
        String(header),
      ]),
    ),
    error,
    failedAt: new Date().toISOString(),
    consumer,
  };
}
