import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ModelMetrics } from '#fmnist';

class ModelClassMetricsDto {
  @ApiProperty({ example: 0.97 })
  precision!: number;

  @ApiProperty({ example: 0.95 })
  recall!: number;

  @ApiPropertyOptional({ example: 0.96 })
  f1?: number;
}

class ModelMetricsDto implements ModelMetrics {
  @ApiProperty({
    example: 0.9231,
    description: 'Accuracy on the evaluation set',
  })
  accuracy!: number;

  @ApiPropertyOptional({ example: 0.2154 })
  loss?: number;

  @ApiPropertyOptional({
    type: [ModelClassMetricsDto],
    description: 'In label order',
  })
  perClass?: ModelClassMetricsDto[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description: '`confusionMatrix[actual][predicted]`, in label order',
  })
  confusionMatrix?: number[][];

  @ApiPropertyOptional({ example: 'fmnist:test' })
  evaluatedOn?: string;
}

class VersionServingDto {
  @ApiProperty({
    example: 2,
    description: 'Classifiers answering with it by default',
  })
  serving!: number;

  @ApiProperty({
    example: 2,
    description:
      'Classifiers holding it loaded (by default or because requests named it)',
  })
  loaded!: number;

  @ApiProperty({
    example: 0,
    description: 'Classifiers that tried to load it and could not',
  })
  failed!: number;

  @ApiPropertyOptional({
    example: 'the weights do not match their checksum',
    description: 'Why it failed to load, when it did',
  })
  error?: string;
}

/** A registry entry as the HTTP APIs show it (weights left out). */
export class ModelDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: 'default-cnn' })
  architecture!: string;

  @ApiProperty({ example: 'fmnist:train' })
  dataset!: string;

  @ApiProperty({ type: ModelMetricsDto })
  metrics!: ModelMetricsDto;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  createdAt!: string;

  @ApiPropertyOptional({ description: 'The training job that made it' })
  jobId?: string;

  @ApiPropertyOptional({ description: 'Which publish wrote this version' })
  publishId?: string;

  @ApiPropertyOptional({
    description:
      "sha256 of the weights; classifiers refuse weights that don't match",
  })
  weightsSha256?: string;

  @ApiProperty({
    description: 'Whether the registry names it the version served by default',
  })
  active!: boolean;

  @ApiProperty({
    type: VersionServingDto,
    description:
      'What the classifiers reporting in the last 30 s do with it (they report through Kafka)',
  })
  classifiers!: VersionServingDto;
}

class ModelRefDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 2 })
  version!: number;
}

export class ActiveModelDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  promotedAt!: string;

  @ApiPropertyOptional({
    type: [ModelRefDto],
    description:
      'The versions active before, newest first: where classifiers fall back when this one cannot be loaded',
  })
  previous?: ModelRefDto[];
}
