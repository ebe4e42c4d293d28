import { ApiProperty } from '@nestjs/swagger';

export class ModelRefDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 2 })
  version!: number;
}

export class ClassificationTimingsDto {
  @ApiProperty({
    description:
      'From the gateway sending the request to a classifier taking it, ms',
  })
  queueMs!: number;

  @ApiProperty({
    description:
      'The model call that classified this image (shared with its batch), ms',
  })
  inferenceMs!: number;

  @ApiProperty({ description: 'Images classified together in that model call' })
  batchImages!: number;

  @ApiProperty({
    description: 'From the upload being received to the answer, ms',
  })
  totalMs!: number;
}

export class ClassificationResultDto {
  @ApiProperty({ example: 'Ankle boot' })
  label!: string;

  @ApiProperty({ example: 9 })
  labelIndex!: number;

  @ApiProperty({
    description: 'Probability of each class, by label name, in label order',
    example: { 'T-shirt/top': 0.001, Trouser: 0.0, 'Ankle boot': 0.97 },
    additionalProperties: { type: 'number' },
  })
  probabilities!: Record<string, number>;

  @ApiProperty({ type: ModelRefDto })
  model!: ModelRefDto;

  @ApiProperty({ type: ClassificationTimingsDto })
  timings!: ClassificationTimingsDto;

  @ApiProperty({
    description:
      'The upload this result is for (original file name, or "body")',
  })
  source!: string;

  @ApiProperty({
    example: 'host-1:4242',
    description: 'The classifier replica that answered (host:pid)',
  })
  classifier!: string;
}

export class ClassificationResponseDto {
  @ApiProperty({
    type: [ClassificationResultDto],
    description: 'One result per image, in upload order',
  })
  results!: ClassificationResultDto[];
}
