import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthModule, LoggingModule, validateEnvironment } from '#platform';
import { TrainerEnvironment } from './config/trainer.environment.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment(TrainerEnvironment),
    }),
    LoggingModule.forApp('trainer'),
    HealthModule,
  ],
})
export class TrainerModule {}
