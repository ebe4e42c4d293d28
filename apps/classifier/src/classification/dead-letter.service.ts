import { Injectable, Logger } from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
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
    const message = context.getMessage();
    const record: DeadLetterRecord = {
      source: {
        topic: context.getTopic(),
        partition: context.getPartition(),
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
    this.logger.warn(
      `dead-lettered ${record.source.topic}/${record.source.partition}@${record.source.offset}: ${error}`,
    );
    await context.getProducer().send({
      topic: Topics.imagesDeadLetter,
      messages: [{ key: record.source.key, value: JSON.stringify(record) }],
    });
  }
}
