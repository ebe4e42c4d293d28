import { ApiProperty } from '@nestjs/swagger';
import { Length } from 'class-validator';

/** `{name}` and `{version}` of the protocol's model paths: the registry's names and versions. */
export class ModelPathDto {
  @ApiProperty({ example: 'fashion-cnn', minLength: 1, maxLength: 100 })
  @Length(1, 100)
  name!: string;
}

export class PinnedModelPathDto extends ModelPathDto {
  @ApiProperty({
    example: '2',
    description:
      'A version number of the registry, as a string (InferenceProtocolService refuses any other with 400)',
    // Up to 15 digits: every such number is below 2^53, so none is refused.
    pattern: '^[1-9][0-9]{0,14}$',
  })
  @Length(1, 20)
  version!: string;
}

export class ServerMetadataDto {
  @ApiProperty({ example: 'fashion-kafka' })
  name!: string;

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({
    example: ['binary_tensor_data', 'classification', 'model_configuration'],
  })
  extensions!: string[];
}

export class TensorMetadataDto {
  @ApiProperty({ example: 'images' })
  name!: string;

  @ApiProperty({ example: 'UINT8' })
  datatype!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: -1 },
    example: [-1, 28, 28],
    description: '-1: any number of images',
  })
  shape!: number[];
}

export class ModelMetadataDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: ['1', '2'], description: "The registry's versions" })
  versions!: string[];

  @ApiProperty({ example: 'tensorflowjs_layers' })
  platform!: string;

  @ApiProperty({
    type: [TensorMetadataDto],
    description:
      'One of them per request: `images` also takes FP32 (pixel / 255) and [N, 784]; `image_files` takes encoded images',
  })
  inputs!: TensorMetadataDto[];

  @ApiProperty({ type: [TensorMetadataDto] })
  outputs!: TensorMetadataDto[];
}

export class LiveDto {
  @ApiProperty({ example: true })
  live!: boolean;
}

export class ReadyDto {
  @ApiProperty({ example: true })
  ready!: boolean;
}

export class ModelReadyDto extends ReadyDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;
}
