import {
  BadGatewayException,
  BadRequestException,
  GatewayTimeoutException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { TimeoutError } from 'rxjs';
import {
  ClassificationErrorCode,
  ClassificationErrorSchema,
  ImageDecodeError,
} from '#fmnist';
import { KafkaUnreachableError, NoReplyPartitionError } from '#platform';
import { RetryLaterException } from '../admission/retry-later.exception.js';

const logger = new Logger('ClassificationErrors');

/** What a client is told of an image the codec could not decode: the codec's words are ours to log. */
const CORRUPT = 'the image cannot be decoded: it is corrupt or truncated';

/**
 * An upload that cannot be decoded, as the 4xx that tells the client why, in our words. The
 * codec's own text (libvips: "vipspng: libpng read error", "gifload_buffer: ...") names the
 * library and its internals: it goes to the log, whose line carries the request's id.
 */
export function uploadError(
  source: string,
  error: ImageDecodeError,
): HttpException {
  if (error.reason === 'corrupt') {
    logger.warn(`${source}: ${error.message}`);
    return new UnprocessableEntityException(`${source}: ${CORRUPT}`);
  }
  const message = `${source}: ${error.message}`;
  switch (error.reason) {
    case 'empty':
      return new BadRequestException(message);
    case 'unsupported-format':
      return new UnsupportedMediaTypeException(message);
    case 'too-large':
      return new PayloadTooLargeException(message);
  }
}

/** How long a client is asked to wait before it retries while Kafka is unreachable. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Kafka is unreachable, nothing was or will be classified for this request. The cause is the
 * operators' business (logs, readiness), so the client is not told broker addresses or client
 * errors.
 */
export class KafkaUnavailableException extends RetryLaterException {
  constructor() {
    super('Kafka is not reachable; retry later', RETRY_AFTER_SECONDS);
  }
}

/** The request's time ran out: CLASSIFY_TIMEOUT_MS from its arrival. */
export function deadlineError(timeoutMs: number): GatewayTimeoutException {
  return new GatewayTimeoutException(
    `no classifier answered within ${timeoutMs} ms; none may be running, retry later`,
  );
}

/** Whatever the Kafka round trip failed with, as an HTTP error a client can act on. */
export function classificationError(
  error: unknown,
  timeoutMs: number,
): HttpException {
  if (error instanceof KafkaUnreachableError) {
    return new KafkaUnavailableException();
  }
  if (error instanceof TimeoutError) {
    return deadlineError(timeoutMs);
  }
  if (error instanceof NoReplyPartitionError) {
    // Its reply consumer is (re)joining its group: a moment, or another gateway.
    return new RetryLaterException(
      'this gateway cannot receive replies from the classifiers yet; retry later',
      1,
    );
  }
  const refusal = ClassificationErrorSchema.safeParse(error);
  if (refusal.success) {
    const { code, message } = refusal.data;
    switch (code) {
      case ClassificationErrorCode.noModel:
        return new ServiceUnavailableException(message);
      case ClassificationErrorCode.unknownModel:
        return new NotFoundException(message);
      case ClassificationErrorCode.deadlineExceeded:
        return deadlineError(timeoutMs);
      case ClassificationErrorCode.invalidRequest:
      case ClassificationErrorCode.internal:
        // The classifier's exception text is for operators.
        logger.error(
          `the classifier refused the request (${code}): ${message}`,
        );
        return new BadGatewayException(
          'the classifier could not process this request; retry later',
        );
    }
  }
  // kafkajs gave up sending: Kafka is not usable.
  return new KafkaUnavailableException();
}
