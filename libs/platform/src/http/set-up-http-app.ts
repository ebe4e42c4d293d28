import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Server } from 'node:http';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { HttpEnvironment } from '../config/http.environment.js';
import { exitWhenShutdownOverruns } from '../lifecycle/shutdown-deadline.js';
import { answerUnsupportedMethods } from './method-not-allowed.js';
import { completeDocument } from './openapi/complete-document.js';
import { ErrorResponseDto } from './openapi/error-response.dto.js';
import { securityHeaders } from './security-headers.js';
import { lingerOverUnreadBodies } from './unread-body.js';

export interface HttpAppDescription {
  title: string;
  description: string;
  version: string;
  /** Ways to authenticate that operations refer to (`@ApiSecurity`), by name. */
  securitySchemes?: Record<
    string,
    Parameters<DocumentBuilder['addSecurity']>[1]
  >;
  /** What only the running app knows (limits from its configuration), written into the description. */
  adjustDocument?: (document: OpenAPIObject) => void;
}

/**
 * What every app's HTTP side shares: the structured logger, shutdown on SIGTERM/SIGINT (so Kafka
 * consumers leave their group cleanly) within SHUTDOWN_TIMEOUT_MS, the configured keep-alive
 * timeout, the unread rest of a body read for a few seconds at most, security headers, CORS only
 * for the configured origins, 405 with `Allow` for a method a path does not have, and the OpenAPI
 * description at /docs (JSON at /docs-json), completed with what the platform answers for every
 * operation.
 */
export function setUpHttpApp(
  app: INestApplication,
  description: HttpAppDescription,
): void {
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const config = app.get(ConfigService<HttpEnvironment, true>);
  exitWhenShutdownOverruns(
    config.get('SHUTDOWN_TIMEOUT_MS', { infer: true }),
    logger,
  );
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = config.get('HTTP_KEEP_ALIVE_TIMEOUT_MS', {
    infer: true,
  });
  app.use(lingerOverUnreadBodies);
  app.use(securityHeaders);
  const corsOrigins = config.get('CORS_ORIGINS', { infer: true });
  if (corsOrigins.length > 0) {
    app.enableCors({ origin: corsOrigins });
  }
  app.use(answerUnsupportedMethods(app));
  const builder = new DocumentBuilder()
    .setTitle(description.title)
    .setDescription(description.description)
    .setVersion(description.version);
  for (const [name, scheme] of Object.entries(
    description.securitySchemes ?? {},
  )) {
    builder.addSecurity(name, scheme);
  }
  const document = completeDocument(
    SwaggerModule.createDocument(app, builder.build(), {
      extraModels: [ErrorResponseDto],
    }),
  );
  description.adjustDocument?.(document);
  SwaggerModule.setup('docs', app, document);
}
