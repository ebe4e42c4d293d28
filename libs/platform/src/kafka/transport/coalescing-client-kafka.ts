import type { Kafka } from 'kafkajs';
import { withCoalescingProducers } from '../producer/coalescing-producer.js';
import { RestartingClientKafka } from './restarting-client-kafka.js';

/** The restarting Kafka client, its requests sent in the same moment sharing a produce request. */
export class CoalescingClientKafka extends RestartingClientKafka {
  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(await super.createClient<Kafka>()) as T;
  }
}
