import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { kafkaClientConfig, setUpHttpApp } from '#platform';
import { ClassifierModule } from './classifier.module.js';
import type { ClassifierEnvironment } from './config/classifier.environment.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(ClassifierModule, { bufferLogs: true });
  setUpHttpApp(app, {
    title: 'Fashion classifier',
    description:
      'Consumes classification requests from Kafka; HTTP carries health and metrics.',
    version: '1',
  });
  const config = app.get(ConfigService<ClassifierEnvironment, true>);
  const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
  app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.KAFKA,
      options: {
        client: kafkaClientConfig(
          config.get('KAFKA_BROKERS', { infer: true }),
          `${prefix}-classifier`,
        ),
        consumer: {
          groupId: config.get('CLASSIFIER_GROUP_ID', { infer: true }),
        },
        // Requests are answered by whoever consumes them now; replaying old ones helps no caller.
        subscribe: { fromBeginning: false },
      },
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
