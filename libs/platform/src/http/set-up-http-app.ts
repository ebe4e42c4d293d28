import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { HttpEnvironment } from '../config/http.environment.js';
import { securityHeaders } from './security-headers.js';

export interface HttpAppDescription {
  title: string;
  description: string;
  version: string;
  /** Ways to authenticate that operations refer to (`@ApiSecurity`), by name. */
  securitySchemes?: Record<
    string,
    Parameters<DocumentBuilder['addSecurity']>[1]
  >;
}

/**
 * What every app's HTTP side shares: the structured logger, shutdown on SIGTERM/SIGINT (so Kafka
 * consumers leave their group cleanly), security headers, CORS only for the configured origins,
 * and the OpenAPI description at /docs (JSON at /docs-json).
 */
export function setUpHttpApp(
  app: INestApplication,
  description: HttpAppDescription,
): void {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.use(securityHeaders);
  const corsOrigins = app
    .get(ConfigService<HttpEnvironment, true>)
    .get('CORS_ORIGINS', { infer: true });
  if (corsOrigins.length > 0) {
    app.enableCors({ origin: corsOrigins });
  }
  const builder = new DocumentBuilder()
    .setTitle(description.title)
    .setDescription(description.description)
    .setVersion(description.version);
  for (const [name, scheme] of Object.entries(
    description.securitySchemes ?? {},
  )) {
    builder.addSecurity(name, scheme);
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup('docs', app, document);
}
