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

  @ApiProperty({ description: 'Whether classifiers serve it by default' })
  active!: boolean;
}

export class ActiveModelDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  promotedAt!: string;
}
