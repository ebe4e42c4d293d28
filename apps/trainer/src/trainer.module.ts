import { Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_PIPE } from '@nestjs/core';
import {
  HealthModule,
  LoggingModule,
  MetricsModule,
  validateEnvironment,
} from '#platform';
import { TrainerEnvironment } from './config/trainer.environment.js';
import { ModelsModule } from './models/models.module.js';
import { TrainingJobsModule } from './training-jobs/training-jobs.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment(TrainerEnvironment),
    }),
    LoggingModule.forApp('trainer'),
    MetricsModule.forApp('trainer'),
    HealthModule.register(),
    ModelsModule,
    TrainingJobsModule,
  ],
  providers: [
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
      }),
    },
  ],
})
export class TrainerModule {}
