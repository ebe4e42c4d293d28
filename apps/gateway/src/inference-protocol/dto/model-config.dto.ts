import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ReshapeDto {
  @ApiProperty({ type: [Number], example: [] })
  shape!: number[];
}

export class ModelConfigTensorDto {
  @ApiProperty({ example: 'images' })
  name!: string;

  @ApiProperty({ example: 'TYPE_UINT8' })
  data_type!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    example: [28, 28],
    description: 'Without the batch dimension',
  })
  dims!: number[];

  @ApiPropertyOptional({ type: ReshapeDto })
  reshape?: ReshapeDto;

  @ApiPropertyOptional({ description: 'Inputs: one of them per request' })
  optional?: boolean;

  @ApiPropertyOptional({ example: 'labels.txt' })
  label_filename?: string;
}

class DynamicBatchingDto {
  @ApiProperty({
    example: 0,
    description:
      'Classifiers batch what arrives together; nothing waits on purpose',
  })
  max_queue_delay_microseconds!: number;
}

/** Triton's model configuration, for the tools that read it (perf_analyzer, model_analyzer). */
export class ModelConfigDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 'tensorflowjs_layers' })
  platform!: string;

  @ApiProperty({ example: 32, description: 'MAX_IMAGES_PER_UPLOAD' })
  max_batch_size!: number;

  @ApiProperty({ type: [ModelConfigTensorDto] })
  input!: ModelConfigTensorDto[];

  @ApiProperty({ type: [ModelConfigTensorDto] })
  output!: ModelConfigTensorDto[];

  @ApiProperty({ type: DynamicBatchingDto })
  dynamic_batching!: DynamicBatchingDto;
}
