import { HttpException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { firstValueFrom, race, timeout } from 'rxjs';
import {
  encodeImage,
  argMax,
  LABELS,
  type ClassificationReply,
  type ClassificationRequest,
} from '#fmnist';
import {
  KafkaLivenessService,
  KafkaUnreachableError,
  ProducerQueueFullError,
} from '#platform';
import { AdmissionControlService } from '../admission/admission-control.service.js';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import {
  classificationError,
  deadlineError,
  KafkaUnavailableException,
} from './classification.errors.js';
import { ClassifierRequestsService } from './resend/classifier-requests.service.js';
import { GatewayMetrics } from './classification.metrics.js';
import type { ClassificationResultDto } from './dto/classification-result.dto.js';
import { ImagePreprocessorService } from '../preprocessing/image-preprocessor.service.js';
import type { Upload } from './upload.js';

/** An upload reduced to what the model takes; its bytes are no longer needed. */
export interface PreparedImage {
  readonly source: string;
  readonly pixels: Uint8Array;
}

/**
 * Turns uploads into classifications: each image is decoded and reduced to 28x28 here, so only
 * 784 bytes per image travel through Kafka, and all images of a request go in one message.
 */
@Injectable()
export class ClassificationService {
  private readonly logger = new Logger(ClassificationService.name);
  private readonly timeoutMs: number;

  constructor(
    private readonly classifiers: ClassifierRequestsService,
    private readonly preprocessor: ImagePreprocessorService,
    private readonly kafka: KafkaLivenessService,
    private readonly admission: AdmissionControlService,
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

  /**
   * Each upload decoded and reduced to 28x28. Answered 504 if the request's deadline
   * (CLASSIFY_TIMEOUT_MS after `receivedAt`) passes first: its time counts from its arrival, so
   * a queue of decodes cannot make a client wait longer.
   */
  async prepare(
    uploads: Upload[],
    receivedAt: number,
  ): Promise<PreparedImage[]> {
    const pixels = await this.beforeDeadline(
      receivedAt + this.timeoutMs,
      this.preprocessor.preprocess(uploads),
    );
    return uploads.map(({ source }, index) => ({
      source,
      pixels: pixels[index],
    }));
  }

  /**
   * `requestId` becomes the Kafka request's id, so the classifier's logs carry it too. The
   * request carries its deadline, so a classifier that gets to it too late drops it.
   */
  async classify(
    images: PreparedImage[],
    requestId: string,
    receivedAt: number,
    model?: string,
  ): Promise<ClassificationResultDto[]> {
    const deadline = receivedAt + this.timeoutMs;
    const request: ClassificationRequest = {
      requestId,
      images: images.map(({ pixels }) => encodeImage(pixels)),
      model: parseModel(model),
      sentAt: Date.now(),
      deadline,
    };

    // Nobody would wait for the answer: not worth a message.
    if (request.sentAt >= deadline) throw this.expired();
    let reply: ClassificationReply;
    this.inFlight.inc();
    try {
      reply = await firstValueFrom(
        race(
          // First: while Kafka is known to be unreachable nothing is sent, and a request waiting
          // for its reply when Kafka goes away is answered then, not after the timeout.
          this.kafka.outage,
          this.classifiers
            .request(request)
            .pipe(timeout({ first: new Date(deadline) })),
        ),
      );
    } catch (error) {
      throw this.failure(error, requestId);
    } finally {
      this.inFlight.dec();
    }

    const totalMs = Date.now() - receivedAt;
    return reply.predictions.map(({ probabilities }, index) => {
      const labelIndex = argMax(probabilities);
      this.classified.inc({ label: LABELS[labelIndex].slug });
      return {
        label: LABELS[labelIndex].name,
        labelIndex,
        probabilities: Object.fromEntries(
          LABELS.map((label) => [label.name, probabilities[label.index]]),
        ),
        model: reply.model,
        timings: { ...reply.timings, totalMs },
        source: images[index].source,
        classifier: reply.classifier,
      };
    });
  }

  private failure(error: unknown, requestId: string): HttpException {
    const failure =
      error instanceof ProducerQueueFullError
        ? this.admission.refuse(
            'kafka_queue',
            'as many requests waiting for Kafka as it queues',
            `MAX_QUEUED_KAFKA_SENDS=${error.maxQueuedSends}`,
          )
        : classificationError(error, this.timeoutMs);
    if (
      failure instanceof KafkaUnavailableException &&
      !(error instanceof KafkaUnreachableError)
    ) {
      this.logger.warn(
        `request ${requestId} could not go through Kafka: ${String(error)}`,
      );
    }
    this.failures.inc({ status: failure.getStatus() });
    return failure;
  }

  private expired(): HttpException {
    const failure = deadlineError(this.timeoutMs);
    this.failures.inc({ status: failure.getStatus() });
    return failure;
  }

  private async beforeDeadline<T>(
    deadline: number,
    work: Promise<T>,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.expired()), deadline - Date.now());
    });
    try {
      return await Promise.race([work, expiry]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseModel(model?: string): ClassificationRequest['model'] {
  if (!model) return undefined;
  const [name, version] = model.split(':');
  return version === undefined ? { name } : { name, version: Number(version) };
}
