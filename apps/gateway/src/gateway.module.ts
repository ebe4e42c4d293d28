import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthModule, LoggingModule, validateEnvironment } from '#platform';
import { GatewayEnvironment } from './config/gateway.environment.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment(GatewayEnvironment),
    }),
    LoggingModule.forApp('gateway'),
    HealthModule,
  ],
})
export class GatewayModule {}
