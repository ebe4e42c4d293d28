import { Controller } from '@nestjs/common';
import {
  Ctx,
  KafkaContext,
  KafkaHeaders,
  MessagePattern,
  Payload,
  RpcException,
} from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import {
  ClassificationErrorCode,
  ClassificationRequestSchema,
  decodeImage,
  argMax,
  LABELS,
  Topics,
  type ClassificationError,
  type ClassificationReply,
} from '#fmnist';
import { CLASSIFIER_ID } from '../models/classifier-id.js';
import { LoadedModelsService } from '../models/loaded-models.service.js';
import { RolloutTrafficService } from '../rollouts/rollout-traffic.service.js';
import { ClassificationFailure } from './classification-failure.js';
import { ClassifierMetrics } from './classifier.metrics.js';
import { DeadLetterService } from './dead-letter.service.js';
import { InferenceService } from './inference.service.js';

@Controller()
export class ClassificationController {
  constructor(
    private readonly models: LoadedModelsService,
    private readonly inference: InferenceService,
    private readonly rollouts: RolloutTrafficService,
    private readonly deadLetters: DeadLetterService,
    @InjectPinoLogger(ClassificationController.name)
    private readonly logger: PinoLogger,
    @InjectMetric(ClassifierMetrics.requests)
    private readonly requests: Counter<string>,
    @InjectMetric(ClassifierMetrics.images)
    private readonly images: Counter<string>,
    @InjectMetric(ClassifierMetrics.expired)
    private readonly expired: Counter<string>,
  ) {}

  /**
   * Never throws for a message without a reply address: Nest would hand the error to kafkajs,
   * which retries the same message forever and blocks its partition.
   */
  @MessagePattern(Topics.images)
  async classify(
    @Payload() value: unknown,
    @Ctx() context: KafkaContext,
  ): Promise<ClassificationReply | undefined> {
    const receivedAt = Date.now();
    const raw = Buffer.isBuffer(value) ? value : null;
    const request = ClassificationRequestSchema.safeParse(parseJson(raw));
    if (!request.success) {
      const reason = `invalid classification request: ${request.error.issues
        .map(
          (issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`,
        )
        .join('; ')}`;
      await this.deadLetter(context, raw, reason);
      return this.refuse(context, {
        code: ClassificationErrorCode.invalidRequest,
        message: reason,
      });
    }

    const { requestId, images, model, sentAt, deadline } = request.data;
    if (deadline !== undefined && deadline < receivedAt) {
      return this.expire(context, requestId, 'received');
    }
    try {
      const pixels = images.map(decodeImage);
      const answer = await this.rollouts.route(requestId, model, (ref) =>
        this.models.use(ref, async (loaded) => ({
          model: loaded.ref,
          ...(await this.inference.classify(loaded, pixels, deadline)),
        })),
      );
      const { model: answeredBy, ...inference } = answer;
      for (const probabilities of inference.probabilities) {
        const best = argMax(probabilities);
        this.images.inc({ label: LABELS[best].slug });
      }
      this.requests.inc({ outcome: 'answered' });
      this.logger.debug(
        {
          requestId,
          images: images.length,
          model: answeredBy,
          inferenceMs: inference.inferenceMs,
          batchImages: inference.batchImages,
        },
        'classified',
      );
      return {
        requestId,
        model: answeredBy,
        predictions: inference.probabilities.map((probabilities) => ({
          probabilities,
        })),
        timings: {
          queueMs: Math.max(0, receivedAt - sentAt),
          inferenceMs: inference.inferenceMs,
          batchImages: inference.batchImages,
        },
        classifier: CLASSIFIER_ID,
      };
    } catch (error) {
      if (
        error instanceof ClassificationFailure &&
        error.code === ClassificationErrorCode.deadlineExceeded
      ) {
        return this.expire(context, requestId, 'batched');
      }
      if (error instanceof ClassificationFailure) {
        this.requests.inc({ outcome: 'refused' });
        this.logger.info({ requestId, code: error.code }, error.message);
        return this.refuse(context, {
          code: error.code,
          message: error.message,
        });
      }
      const reason = `classification failed: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.error({ requestId }, reason);
      await this.deadLetter(context, raw, reason);
      return this.refuse(context, {
        code: ClassificationErrorCode.internal,
        message: reason,
      });
    }
  }

  /**
   * Its caller has already been answered (504): classifying it would only delay the requests
   * someone still waits for. It is still answered, with an error, in case the gateway's clock is
   * behind this one's and it is waiting: that costs a small reply, not a model call.
   */
  private expire(
    context: KafkaContext,
    requestId: string,
    stage: 'received' | 'batched',
  ): undefined {
    this.expired.inc({ stage });
    this.requests.inc({ outcome: 'expired' });
    this.logger.debug({ requestId, stage }, 'deadline passed: dropped');
    return this.refuse(context, {
      code: ClassificationErrorCode.deadlineExceeded,
      message: 'the deadline passed before a classifier got to the request',
    });
  }

  private async deadLetter(
    context: KafkaContext,
    raw: Buffer | null,
    reason: string,
  ): Promise<void> {
    this.requests.inc({ outcome: 'dead_lettered' });
    await this.deadLetters.publish(context, raw, reason, CLASSIFIER_ID);
  }

  private refuse(context: KafkaContext, error: ClassificationError): undefined {
    const headers = context.getMessage().headers ?? {};
    if (
      headers[KafkaHeaders.CORRELATION_ID] &&
      headers[KafkaHeaders.REPLY_TOPIC]
    ) {
      throw new RpcException(error);
    }
    return undefined;
  }
}

function parseJson(raw: Buffer | null): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}
