import {
  Inject,
  Injectable,
  Logger,
  UnsupportedMediaTypeException,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClientKafka } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, race, timeout } from 'rxjs';
import {
  encodeImage,
  ImageDecodeError,
  LABELS,
  preprocessImage,
  Topics,
  type ClassificationReply,
  type ClassificationRequest,
} from '#fmnist';
import { KafkaLiveness, KafkaUnreachableError } from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import {
  classificationError,
  KafkaUnavailableException,
  uploadError,
} from './classification.errors.js';
import { CLASSIFIER_CLIENT } from './classifier-client.js';
import { GatewayMetrics } from './classification.metrics.js';
import type { ClassificationResultDto } from './dto/classification-result.dto.js';
import type { Upload } from './upload.js';

/**
 * Turns uploads into classifications: each image is decoded and reduced to 28x28 here, so only
 * 784 bytes per image travel through Kafka, and all images of a request go in one message.
 */
@Injectable()
export class ClassificationService
  implements OnModuleInit, OnApplicationBootstrap
{
  private readonly logger = new Logger(ClassificationService.name);
  private readonly timeoutMs: number;

  constructor(
    @Inject(CLASSIFIER_CLIENT) private readonly client: ClientKafka,
    private readonly kafka: KafkaLiveness,
    @InjectMetric(GatewayMetrics.classified)
    private readonly classified: Counter<string>,
    @InjectMetric(GatewayMetrics.failures)
    private readonly failures: Counter<string>,
    @InjectMetric(GatewayMetrics.inFlight)
    private readonly inFlight: Gauge<string>,
    config: ConfigService<GatewayEnvironment, true>,
  ) {
    this.timeoutMs = config.get('CLASSIFY_TIMEOUT_MS', { infer: true });
  }

  onModuleInit(): void {
    this.client.subscribeToResponseOf(Topics.images);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.client.connect();
  }

  /** `requestId` becomes the Kafka request's id, so the classifier's logs carry it too. */
  async classify(
    uploads: Upload[],
    requestId: string,
    model?: string,
  ): Promise<ClassificationResultDto[]> {
    const receivedAt = performance.now();
    const images = await Promise.all(
      uploads.map((upload) => this.preprocess(upload)),
    );
    const request: ClassificationRequest = {
      requestId,
      images: images.map(encodeImage),
      model: parseModel(model),
      sentAt: Date.now(),
    };

    let reply: ClassificationReply;
    this.inFlight.inc();
    try {
      reply = await firstValueFrom(
        race(
          // First: while Kafka is known to be unreachable nothing is sent, and a request waiting
          // for its reply when Kafka goes away is answered then, not after the timeout.
          this.kafka.outage,
          this.client
            .send<ClassificationReply>(Topics.images, {
              // Ours, not the client's x-request-id: a client cannot pin its requests to one
              // partition, so to one classifier.
              key: randomUUID(),
              value: request,
            })
            .pipe(timeout(this.timeoutMs)),
        ),
      );
    } catch (error) {
      const failure = classificationError(error, this.timeoutMs);
      if (
        failure instanceof KafkaUnavailableException &&
        !(error instanceof KafkaUnreachableError)
      ) {
        this.logger.warn(
          `request ${requestId} could not go through Kafka: ${String(error)}`,
        );
      }
      this.failures.inc({ status: failure.getStatus() });
      throw failure;
    } finally {
      this.inFlight.dec();
    }

    const totalMs = performance.now() - receivedAt;
    return reply.predictions.map(({ probabilities }, index) => {
      const labelIndex = probabilities.indexOf(Math.max(...probabilities));
      this.classified.inc({ label: LABELS[labelIndex].slug });
      return {
        label: LABELS[labelIndex].name,
        labelIndex,
        probabilities: Object.fromEntries(
          LABELS.map((label) => [label.name, probabilities[label.index]]),
        ),
        model: reply.model,
        timings: { ...reply.timings, totalMs },
        source: uploads[index].source,
        classifier: reply.classifier,
      };
    });
  }

  private async preprocess(upload: Upload): Promise<Uint8Array> {
    if (!isImageType(upload.declaredType)) {
      throw new UnsupportedMediaTypeException(
        `${upload.source}: declared as ${upload.declaredType}, not an image`,
      );
    }
    try {
      return (await preprocessImage(upload.bytes)).pixels;
    } catch (error) {
      if (error instanceof ImageDecodeError)
        throw uploadError(upload.source, error);
      throw error;
    }
  }
}

/** Clients that cannot tell the type (curl for an unknown extension) send octet-stream. */
function isImageType(contentType: string): boolean {
  return (
    contentType.startsWith('image/') ||
    contentType === 'application/octet-stream'
  );
}

function parseModel(model?: string): ClassificationRequest['model'] {
  if (!model) return undefined;
  const [name, version] = model.split(':');
  return version === undefined ? { name } : { name, version: Number(version) };
}
