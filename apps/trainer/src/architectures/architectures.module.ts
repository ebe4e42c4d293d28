import { Module } from '@nestjs/common';
import { ArchitecturesController } from './architectures.controller.js';

/** What a training job can be asked to build: read by clients before they start one. */
@Module({ controllers: [ArchitecturesController] })
export class ArchitecturesModule {}
