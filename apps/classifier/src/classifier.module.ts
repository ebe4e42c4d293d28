import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthModule, LoggingModule, validateEnvironment } from '#platform';
import { ClassifierEnvironment } from './config/classifier.environment.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment(ClassifierEnvironment),
    }),
    LoggingModule.forApp('classifier'),
    HealthModule,
  ],
})
export class ClassifierModule {}
