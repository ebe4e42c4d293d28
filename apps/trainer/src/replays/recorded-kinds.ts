import { decodeImage, IMAGE_PIXELS, Topics } from '#fmnist';
import type { RangeMessage } from '#platform';
import {
  contentTypeOf,
  inputKey,
  recordedRequest,
  requestReply,
  streamPrediction,
  type AnswerParser,
  type ResolvedRange,
  type ServedAnswer,
} from './recorded-traffic.js';
import type { ReplaySource } from './replay.js';
import type { ReplayTally } from './replay-tally.js';
import type { ReplayWorkerProcess } from './replay-worker-process.js';
import { UNDECODABLE, type StreamedValue } from './worker/replay-protocol.js';

/** One kind of recorded traffic: where its answers are, and how its inputs are classified again. */
export interface RecordedKind {
  readonly answersTopic: string;
  readonly parseAnswer: AnswerParser;
  /** Classifies the answered inputs among `messages` with `worker` and tallies them. */
  replay(
    messages: RangeMessage[],
    range: ResolvedRange,
    answers: Map<string, ServedAnswer>,
    tally: ReplayTally,
    worker: ReplayWorkerProcess,
  ): Promise<void>;
}

/** The kind of traffic `source.topic` holds: requests of the gateways, or a streaming input. */
export function recordedKind(source: ReplaySource): RecordedKind {
  return source.topic === Topics.images
    ? requests
    : streamInput(source.topic, source.predictions ?? Topics.predictions);
}

/**
 * Classification requests of `fashion-images` (28x28 images already), answered on
 * `fashion-images.reply`, matched by correlation id; a request sent again counts once.
 */
const requests: RecordedKind = {
  answersTopic: Topics.imagesReply,
  parseAnswer: requestReply,
  async replay(messages, range, answers, tally, worker) {
    const chunk: { served: ServedAnswer; images: string[] }[] = [];
    for (const entry of messages) {
      if (!range.includes(entry)) continue;
      const recorded = recordedRequest(entry.message);
      if (!recorded) {
        tally.countInvalid();
        continue;
      }
      const served = recorded.correlationId
        ? answers.get(recorded.correlationId)
        : undefined;
      const answered = served?.labels.length === recorded.request.images.length;
      if (!tally.needs(recorded.key, answered)) continue;
      chunk.push({ served: served!, images: recorded.request.images });
    }
    if (chunk.length === 0) return;
    const count = chunk.reduce((sum, { images }) => sum + images.length, 0);
    const pixels = new Uint8Array(count * IMAGE_PIXELS);
    let at = 0;
    for (const image of chunk.flatMap(({ images }) => images)) {
      pixels.set(decodeImage(image), at++ * IMAGE_PIXELS);
    }
    const { labels, calls } = await worker.classify(pixels, count);
    tally.addCalls(calls);
    at = 0;
    for (const { served } of chunk) {
      tally.compare(served, labels.subarray(at, at + served.labels.length));
      at += served.labels.length;
    }
  },
};

/**
 * Inputs of a streaming path (image files or tensors, decoded again by the worker as the
 * classifiers do), answered on its predictions topic, matched by the input's partition and offset.
 */
function streamInput(
  inputTopic: string,
  predictionsTopic: string,
): RecordedKind {
  return {
    answersTopic: predictionsTopic,
    parseAnswer: streamPrediction(inputTopic),
    async replay(messages, range, answers, tally, worker) {
      const served: ServedAnswer[] = [];
      const values: StreamedValue[] = [];
      for (const entry of messages) {
        if (!range.includes(entry)) continue;
        const key = inputKey(entry.partition, entry.message.offset);
        const answer = answers.get(key);
        if (!tally.needs(key, answer !== undefined)) continue;
        served.push(answer!);
        values.push({
          value: entry.message.value ?? Buffer.alloc(0),
          contentType: contentTypeOf(entry.message),
        });
      }
      if (values.length === 0) return;
      const { labels, calls } = await worker.classifyValues(values);
      tally.addCalls(calls);
      served.forEach((answer, index) => {
        if (labels[index] === UNDECODABLE) tally.countInvalid();
        else tally.compare(answer, labels.subarray(index, index + 1));
      });
    },
  };
}
