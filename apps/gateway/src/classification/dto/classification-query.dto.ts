import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const MODEL = /^[A-Za-z0-9._-]{1,100}(:[1-9]\d*)?$/;

export class ClassificationQueryDto {
  @ApiPropertyOptional({
    description:
      'Model to use: `name` (its newest version) or `name:version`; the active model when absent',
    example: 'fashion-cnn:2',
    pattern: MODEL.source,
  })
  @IsOptional()
  @Matches(MODEL, {
    message:
      'model must be a model name, optionally followed by :version (e.g. fashion-cnn:2)',
  })
  model?: string;
}
