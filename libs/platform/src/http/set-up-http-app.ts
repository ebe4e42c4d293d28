import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';

export interface HttpAppDescription {
  title: string;
  description: string;
  version: string;
}

/**
 * What every app's HTTP side shares: the structured logger, shutdown on SIGTERM/SIGINT (so Kafka
 * consumers leave their group cleanly) and the OpenAPI description at /docs (JSON at /docs-json).
 */
export function setUpHttpApp(
  app: INestApplication,
  description: HttpAppDescription,
): void {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(description.title)
      .setDescription(description.description)
      .setVersion(description.version)
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
