import type { Server } from 'node:http';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { screenRequests, setUpHttpApp } from '#platform';
import { AdmissionScreen } from './admission/admission.screen.js';
import type { GatewayEnvironment } from './config/gateway.environment.js';
import { GatewayModule } from './gateway.module.js';
import { InferenceBodyMiddleware } from './inference-protocol/inference-body.middleware.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
    bufferLogs: true,
    // The trainer proxy forwards the bytes of bodies the parsers have read.
    rawBody: true,
  });
  // In front of the application: under overload, refusals must cost next to nothing.
  const server: Server = app.getHttpServer();
  const admission = app.get(AdmissionScreen);
  screenRequests(server, (request, response) =>
    admission.screen(request, response),
  );
  // Node.js would answer 100 Continue to every such request; the admission screen answers it for
  // the requests it admits.
  server.on('checkContinue', (request, response) =>
    server.emit('request', request, response),
  );
  // Ahead of the JSON parser, whose limit is for small bodies: inference requests carry tensors.
  const inferenceBodies = app.get(InferenceBodyMiddleware);
  app.use(inferenceBodies.use.bind(inferenceBodies));
  setUpHttpApp(app, {
    title: 'Fashion gateway',
    description:
      'Classifies fashion images: uploads go through Kafka to the classifiers.',
    version: '1',
  });
  const config = app.get(ConfigService<GatewayEnvironment, true>);
  await app.listen(
    config.get('GATEWAY_PORT', { infer: true }),
    config.get('HTTP_HOST', { infer: true }),
  );
}

void bootstrap();
