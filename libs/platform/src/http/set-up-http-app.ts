import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';

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
 * consumers leave their group cleanly) and the OpenAPI description at /docs (JSON at /docs-json).
 */
export function setUpHttpApp(
  app: INestApplication,
  description: HttpAppDescription,
): void {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
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
