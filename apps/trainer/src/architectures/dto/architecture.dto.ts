import { ApiProperty } from '@nestjs/swagger';
import {
  ARCHITECTURES,
  DEFAULT_TRAINING,
  type ArchitectureName,
} from '#fmnist';

export class TrainingDefaultsDto {
  @ApiProperty({ type: 'integer', example: DEFAULT_TRAINING.epochs })
  epochs!: number;

  @ApiProperty({ type: 'integer', example: DEFAULT_TRAINING.batchSize })
  batchSize!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.learningRate })
  learningRate!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.validationSplit })
  validationSplit!: number;

  @ApiProperty({
    example: DEFAULT_TRAINING.labelSmoothing,
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
