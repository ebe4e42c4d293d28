import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type Producer,
} from 'kafkajs';
import { restartAfterFatalCrash, withTimeout } from '#platform';
import { testBrokers } from '#testing/test-kafka';

describe('a consumer crash kafkajs does not restart from', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'consumer-restart-e2e',
    logLevel: logLevel.NOTHING,
  });
  const topic = `consumer-restart-e2e-${randomUUID()}`;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  let stopRestarting: (() => void) | undefined;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1 }],
    });
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    consumer = kafka.consumer({ groupId: topic });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
  });

  after(async () => {
    stopRestarting?.();
    await Promise.all([consumer?.disconnect(), producer?.disconnect()]);
    await admin?.deleteTopics({ topics: [topic] });
    await admin?.disconnect();
  });

  it('is run again by restartAfterFatalCrash, and gets the message it crashed on', async () => {
    const deliveries: string[] = [];
    const restartedByKafkajs: boolean[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      restartedByKafkajs.push(payload.restart),
    );
    let handled!: () => void;
    const handledOnce = new Promise<void>((resolve) => (handled = resolve));
    const run = () =>
      consumer.run({
        eachMessage: ({ message }) => {
          deliveries.push(String(message.value));
          // A TypeError is one of the errors kafkajs neither retries nor restarts the consumer for.
          if (deliveries.length === 1) {
            return Promise.reject(new TypeError('a bug met once'));
          }
          handled();
          return Promise.resolve();
        },
      });
    stopRestarting = restartAfterFatalCrash(
      consumer,
      run,
      new Logger('consumer-restart-e2e'),
      100,
    );
    await run();

    await producer.send({ topic, messages: [{ value: 'the message' }] });
    await withTimeout(
      handledOnce,
      30_000,
      'the consumer did not handle the message after its crash',
    );
    assert.deepEqual(restartedByKafkajs, [false]);
    assert.deepEqual(deliveries, ['the message', 'the message']);
  });
});
