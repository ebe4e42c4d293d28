import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { PlatformEnvironment } from '../config/platform.environment.js';
import { requestIdOf } from './request-id.js';

/** Structured JSON logs, one line per event, tagged with the app that wrote them. */
@Module({})
export class LoggingModule {
  static forApp(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<PlatformEnvironment, true>) => ({
            pinoHttp: {
              level: config.get('LOG_LEVEL', { infer: true }),
              base: { app, pid: process.pid },
              genReqId: requestIdOf,
              // Top level, under the same name the classifier logs it with.
              customProps: (request) => ({ requestId: request.id }),
              // Credentials stay out of the logs (the trainer's API key, through the gateway too).
              redact: {
                paths: [
                  'req.headers.authorization',
                  'req.headers["x-api-key"]',
                  'req.headers.cookie',
                ],
                censor: '[redacted]',
              },
              // Health probes would drown the request log.
              autoLogging: {
                ignore: (request) =>
                  request.url?.startsWith('/health') ?? false,
              },
            },
          }),
        }),
      ],
    };
  }
}
