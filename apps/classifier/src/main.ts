// First: it sets TensorFlow's threads before anything loads tfjs-node.
import './tensorflow-threads.js';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import kafkajs from 'kafkajs';
import { BatchingServerKafka, appKafkaConfig, setUpHttpApp } from '#platform';
import { ClassifierModule } from './classifier.module.js';
import type { ClassifierEnvironment } from './config/classifier.environment.js';

const { Partitioners } = kafkajs;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(ClassifierModule, { bufferLogs: true });
  setUpHttpApp(app, {
    title: 'Fashion classifier',
    description:
      'Consumes classification requests from Kafka; HTTP carries health and metrics.',
    version: '1',
  });
  const config = app.get(ConfigService<ClassifierEnvironment, true>);
  app.connectMicroservice(
    {
      // Nest's Kafka transport, restarted after crashes kafkajs leaves stopped, batching under load.
      strategy: new BatchingServerKafka({
        // The group and client ids are exactly the configured ones, not Nest's "-server" variant.
        postfixId: '',
        client: appKafkaConfig(config, 'classifier'),
        consumer: {
          groupId: config.get('CLASSIFIER_GROUP_ID', { infer: true }),
          // A replica that dies hands its partitions over after 6 s, the least brokers accept by
          // default (group.min.session.timeout.ms); the gateways re-send its requests meanwhile.
          // Frequent heartbeats: the others learn of a rebalance, and rejoin, within half a second.
          sessionTimeout: 6_000,
          heartbeatInterval: 500,
        },
        producer: { createPartitioner: Partitioners.DefaultPartitioner },
        // Requests are answered by whoever consumes them now; replaying old ones helps no caller.
        subscribe: { fromBeginning: false },
        // All partitions of this replica at once, so concurrent requests meet in one model call.
        run: {
          partitionsConsumedConcurrently: config.get(
            'KAFKA_REQUEST_PARTITIONS',
            { infer: true },
          ),
        },
        // Values reach the handler as bytes: it validates them and dead-letters the originals.
        parser: { keepBinary: true },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(
    config.get('CLASSIFIER_PORT', { infer: true }),
    config.get('HTTP_HOST', { infer: true }),
  );
}

void bootstrap();
