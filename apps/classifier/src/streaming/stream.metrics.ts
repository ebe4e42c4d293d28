import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { ClassifiedSlice } from './stream-classifier.service.js';

const STREAM_MESSAGES = 'classifier_stream_messages_total';

export const streamMetricProviders = [
  makeCounterProvider({
    name: STREAM_MESSAGES,
    help: 'Messages of the streaming input committed, by outcome (classified, dead_lettered)',
    labelNames: ['outcome'],
  }),
];

/** What the streaming path has committed, for dashboards. */
@Injectable()
export class StreamMetrics {
  constructor(
    @InjectMetric(STREAM_MESSAGES) private readonly messages: Counter<string>,
  ) {}

  record(slice: ClassifiedSlice): void {
    this.messages.inc({ outcome: 'classified' }, slice.predictions.length);
    this.messages.inc({ outcome: 'dead_lettered' }, slice.deadLetters.length);
  }
}
