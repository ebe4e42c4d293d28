import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpEnvironment, PlatformModule, setUpHttpApp } from '#platform';

/**
 * An app of the given controllers with every app's platform (modules, HTTP set-up), listening on
 * a free port. `configure` runs after the set-up, before it listens.
 */
export async function startProbeApp(
  controllers: Type[],
  configure?: (app: INestApplication) => void,
): Promise<{ app: INestApplication; url: string }> {
  // The request log would fill the test's output.
  process.env.LOG_LEVEL = 'warn';
  const app = await NestFactory.create(
    {
      module: class ProbeModule {},
      imports: [
        PlatformModule.forApp({ app: 'probe', environment: HttpEnvironment }),
      ],
      controllers,
    },
    { bufferLogs: true },
  );
  setUpHttpApp(app, { title: 'probe', description: 'probe', version: '1' });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}
