import { ClientKafka } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { withCoalescingProducers } from './coalescing-producer.js';

/** Nest's Kafka client whose requests, sent in the same moment, share a produce request. */
export class CoalescingClientKafka extends ClientKafka {
  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(await super.createClient<Kafka>()) as T;
  }
}
