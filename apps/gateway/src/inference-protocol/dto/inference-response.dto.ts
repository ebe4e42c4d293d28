import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ResponseOutputParametersDto {
  @ApiPropertyOptional({
    description:
      "Binary tensor data extension: the output's bytes, which follow the JSON header",
  })
  binary_data_size?: number;
}

export class ResponseOutputDto {
  @ApiProperty({ example: 'probabilities' })
  name!: string;

  @ApiProperty({ example: [1, 10], type: [Number] })
  shape!: number[];

  @ApiProperty({
    example: 'FP32',
    description: 'FP32; BYTES with the classification extension',
  })
  datatype!: string;

  @ApiPropertyOptional({ type: ResponseOutputParametersDto })
  parameters?: ResponseOutputParametersDto;

  @ApiPropertyOptional({
    type: 'array',
    items: { oneOf: [{ type: 'number' }, { type: 'string' }] },
    description:
      'Row-major, flat; "<score>:<index>:<label>" strings with the classification extension',
  })
  data?: (number | string)[];
}

export class InferenceResponseDto {
  @ApiProperty({ example: 'fashion-cnn' })
  model_name!: string;

  @ApiProperty({ example: '2', description: 'The version that answered' })
  model_version!: string;

  @ApiPropertyOptional({ description: "The request's id, when it had one" })
  id?: string;

  @ApiProperty({ type: [ResponseOutputDto] })
  outputs!: ResponseOutputDto[];
}

/** How the Open Inference Protocol reports an error (and the gateway's `statusCode` and `message`). */
export class InferenceErrorDto {
  @ApiProperty({ example: "unknown model 'shoes'" })
  error!: string;

  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: "unknown model 'shoes'" })
  message!: string;
}
