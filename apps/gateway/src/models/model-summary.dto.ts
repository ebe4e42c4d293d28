import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ModelMetricsDto {
  @ApiProperty({
    example: 0.921,
    description: 'Accuracy on the evaluation set',
  })
  accuracy!: number;

  @ApiPropertyOptional({
    example: 'fmnist:test',
    description: 'What the model was evaluated on',
  })
  evaluatedOn?: string;
}

export class ModelSummaryDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: 'default-cnn' })
  architecture!: string;

  @ApiProperty({ example: 'fmnist' })
  dataset!: string;

  @ApiProperty({ type: ModelMetricsDto })
  metrics!: ModelMetricsDto;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    description: 'Whether requests without a model parameter are served by it',
  })
  active!: boolean;
}
