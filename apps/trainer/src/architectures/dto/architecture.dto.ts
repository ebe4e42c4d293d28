import { ApiProperty } from '@nestjs/swagger';
import { ARCHITECTURES, type ArchitectureName } from '#fmnist';

export class TrainingDefaultsDto {
  @ApiProperty({ type: 'integer', example: 10 })
  epochs!: number;

  @ApiProperty({ type: 'integer', example: 128 })
  batchSize!: number;

  @ApiProperty({ example: 0.003 })
  learningRate!: number;

  @ApiProperty({ example: 0 })
  validationSplit!: number;

  @ApiProperty({
    example: 0.1,
    description:
      'Share of each training target spread over the ten classes (0: one-hot)',
  })
  labelSmoothing!: number;

  @ApiProperty({
    enum: ['linear', 'constant'],
    description:
      "linear: Adam's rate falls to zero over the job; constant: Keras' Adam as it comes",
  })
  learningRateSchedule!: 'linear' | 'constant';
}

export class ArchitectureDto {
  @ApiProperty({ enum: ARCHITECTURES.map(({ name }) => name) })
  name!: ArchitectureName;

  @ApiProperty()
  description!: string;

  @ApiProperty({
    type: TrainingDefaultsDto,
    description: 'How a job of this architecture trains when it does not say',
  })
  training!: TrainingDefaultsDto;
}
