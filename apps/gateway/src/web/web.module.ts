import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MulterModule } from '@nestjs/platform-express';
import { ServeStaticModule } from '@nestjs/serve-static';
import { fileURLToPath } from 'node:url';
import { AdmissionModule } from '../admission/admission.module.js';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { PreprocessingModule } from '../preprocessing/preprocessing.module.js';
import { PreviewsController } from './previews.controller.js';
import { SamplesController } from './samples.controller.js';
import { SampleImagesService } from './sample-images.service.js';

/**
 * tsc compiles only the .ts files, so the page is served from the source folder: from
 * dist/apps/gateway/src/web/ five levels up is the project root.
 */
const PUBLIC_FOLDER = fileURLToPath(
  new URL('../../../../../apps/gateway/client/', import.meta.url),
);

/** The web page at `/` and the two endpoints only it needs (previews, sample images). */
@Module({
  imports: [
    AdmissionModule,
    PreprocessingModule,
    ServeStaticModule.forRoot({
      rootPath: PUBLIC_FOLDER,
      // Only `/` answers with the page: unknown paths stay 404s, not a copy of index.html.
      renderPath: '/',
    }),
    MulterModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayEnvironment, true>) => ({
        limits: {
          fileSize: config.get('MAX_UPLOAD_BYTES', { infer: true }),
          files: 1,
          fields: 4,
        },
      }),
    }),
  ],
  controllers: [PreviewsController, SamplesController],
  providers: [SampleImagesService],
})
export class WebModule {}
