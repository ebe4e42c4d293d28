import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { NUM_CLASSES } from '#fmnist';

/** The binary tensor data extension's parameter of an input sent as binary. */
export class InputParametersDto {
  @ApiPropertyOptional({
    description:
      "Binary tensor data extension: the tensor's bytes follow the JSON header, in input order",
    minimum: 0,
  })
  @IsOptional()
  @IsInt({ message: 'binary_data_size must be a whole number of bytes' })
  @Min(0)
  binary_data_size?: number;
}

export class RequestInputDto {
  @ApiProperty({
    example: 'images',
    description:
      '`images` (UINT8 or FP32, [N, 28, 28] or [N, 784]) or `image_files` (BYTES, [N])',
    minLength: 1,
    maxLength: 100,
  })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    minItems: 1,
    maxItems: 4,
    example: [1, 28, 28],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsInt({ each: true, message: 'shape must hold whole numbers' })
  @Min(0, { each: true, message: 'shape must not hold negative sizes' })
  shape!: number[];

  @ApiProperty({ example: 'UINT8', enum: ['UINT8', 'FP32', 'BYTES'] })
  @IsString()
  @Length(1, 20)
  datatype!: string;

  @ApiPropertyOptional({ type: InputParametersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => InputParametersDto)
  parameters?: InputParametersDto;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'number' },
    description:
      'The elements, row-major, flat or nested; for BYTES, each image file base64-encoded. ' +
      'Absent when the tensor is sent as binary data.',
  })
  @IsOptional()
  @IsArray()
  data?: unknown[];
}

export class OutputParametersDto {
  @ApiPropertyOptional({
    description: 'Binary tensor data extension: this output as binary data',
  })
  @IsOptional()
  @IsBoolean()
  binary_data?: boolean;

  @ApiPropertyOptional({
    description:
      'Classification extension: the k most probable classes, as BYTES "<score>:<index>:<label>"',
    minimum: 1,
    maximum: NUM_CLASSES,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(NUM_CLASSES)
  classification?: number;
}

export class RequestOutputDto {
  @ApiProperty({ example: 'probabilities' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ type: OutputParametersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OutputParametersDto)
  parameters?: OutputParametersDto;
}

export class RequestParametersDto {
  @ApiPropertyOptional({
    description:
      'Binary tensor data extension: every output as binary data unless it says otherwise',
  })
  @IsOptional()
  @IsBoolean()
  binary_data_output?: boolean;
}

/**
 * An inference request of the Open Inference Protocol: the JSON body, or the JSON header of a
 * body in the binary tensor data extension (`Inference-Header-Content-Length`).
 */
export class InferenceRequestDto {
  @ApiPropertyOptional({
    example: 'shirt-42',
    description:
      'Echoed in the response; also the request id in the logs (when a token of at most 128 characters)',
  })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  id?: string;

  @ApiPropertyOptional({ type: RequestParametersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequestParametersDto)
  parameters?: RequestParametersDto;

  @ApiProperty({ type: [RequestInputDto], minItems: 1, maxItems: 8 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => RequestInputDto)
  inputs!: RequestInputDto[];

  @ApiPropertyOptional({
    type: [RequestOutputDto],
    description: 'The outputs wanted; all of them when absent',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => RequestOutputDto)
  outputs?: RequestOutputDto[];
}
