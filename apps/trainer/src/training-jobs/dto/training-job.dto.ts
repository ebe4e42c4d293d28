import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEFAULT_TRAINING, type TestSetMetrics } from '#fmnist';
import {
  JOB_STATES,
  type BatchProgress,
  type DatasetSpec,
  type EpochMetrics,
  type JobState,
  type TrainingJob,
  type TrainingParameters,
} from '../training-job.js';

class ModelRefDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 3 })
  version!: number;
}

export class EpochMetricsDto implements EpochMetrics {
  @ApiProperty({ example: 1, description: 'Counted from 1' })
  epoch!: number;

  @ApiProperty({ example: 0.5123 })
  loss!: number;

  @ApiProperty({ example: 0.8134 })
  accuracy!: number;

  @ApiPropertyOptional({
    example: 0.3901,
    description: 'Absent without a validation split',
  })
  valLoss?: number;

  @ApiPropertyOptional({ example: 0.8612 })
  valAccuracy?: number;

  @ApiProperty({ example: 38_412 })
  durationMs!: number;
}

class BatchProgressDto implements BatchProgress {
  @ApiProperty({ example: 2 })
  epoch!: number;

  @ApiProperty({ example: 120, description: 'Counted from 1' })
  batch!: number;

  @ApiProperty({ example: 422, description: 'Batches per epoch' })
  batches!: number;

  @ApiProperty({
    example: 0.4011,
    description:
      'Loss of the latest batch (the epoch events carry the epoch means)',
  })
  loss!: number;

  @ApiProperty({ example: 0.8523 })
  accuracy!: number;
}

class ClassMetricsDto {
  @ApiProperty({ example: 'ankle-boot' })
  label!: string;

  @ApiProperty({ example: 0.97 })
  precision!: number;

  @ApiProperty({ example: 0.95 })
  recall!: number;

  @ApiProperty({ example: 0.96 })
  f1!: number;
}

export class TestMetricsDto implements TestSetMetrics {
  @ApiProperty({ example: 0.9231 })
  accuracy!: number;

  @ApiPropertyOptional({ example: 0.2154, description: 'Mean cross-entropy' })
  loss?: number;

  @ApiProperty({ type: [ClassMetricsDto], description: 'In label order' })
  perClass!: ClassMetricsDto[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description: '`confusionMatrix[actual][predicted]`, in label order',
  })
  confusionMatrix!: number[][];

  @ApiProperty({ example: 'fmnist:test' })
  evaluatedOn!: string;
}

class JobResultDto {
  @ApiProperty({
    type: ModelRefDto,
    description: 'The published model version',
  })
  model!: ModelRefDto;

  @ApiProperty({ description: 'Whether it was made the active model' })
  promoted!: boolean;

  @ApiProperty({ type: TestMetricsDto })
  metrics!: TestMetricsDto;
}

class DatasetSizesDto {
  @ApiProperty({ example: 60_000 })
  trainImages!: number;

  @ApiProperty({ example: 0 })
  validationImages!: number;

  @ApiProperty({ example: 10_000 })
  testImages!: number;
}

class TimingsDto {
  @ApiPropertyOptional({ description: 'Reading and preparing the data' })
  loadMs?: number;

  @ApiPropertyOptional()
  trainMs?: number;

  @ApiPropertyOptional()
  evaluateMs?: number;

  @ApiPropertyOptional({
    description: 'From start to end, publishing included',
  })
  totalMs?: number;
}

class TrainingParametersDto implements TrainingParameters {
  @ApiProperty({
    example: { kind: 'fmnist', trainLimit: 3000 },
    description:
      '`{kind: "fmnist", trainLimit?}` or `{kind: "folder", path, testSplit}`',
  })
  dataset!: DatasetSpec;

  @ApiProperty({ example: 'default-cnn' })
  architecture!: string;

  @ApiProperty({ example: DEFAULT_TRAINING.epochs })
  epochs!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.batchSize })
  batchSize!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.learningRate })
  learningRate!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.validationSplit })
  validationSplit!: number;

  @ApiProperty({ example: DEFAULT_TRAINING.labelSmoothing })
  labelSmoothing!: number;

  @ApiPropertyOptional({ example: { patience: 2, minDelta: 0 } })
  earlyStopping?: { patience: number; minDelta: number };

  @ApiProperty({ example: 1234 })
  seed!: number;

  @ApiProperty({ example: 'fashion-cnn' })
  modelName!: string;

  @ApiProperty()
  promote!: boolean;
}

export class TrainingJobDto implements TrainingJob {
  @ApiProperty({ example: '3f1c2a9e-0b7d-4a51-9d0e-2c6f7f1e8a11' })
  id!: string;

  @ApiProperty({ enum: JOB_STATES })
  state!: JobState;

  @ApiProperty({ type: TrainingParametersDto })
  parameters!: TrainingParametersDto;

  @ApiProperty({
    enum: ['api', 'default-model'],
    description:
      '`default-model`: queued at start-up because no model was active',
  })
  origin!: 'api' | 'default-model';

  @ApiProperty()
  createdAt!: string;

  @ApiPropertyOptional()
  startedAt?: string;

  @ApiPropertyOptional()
  finishedAt?: string;

  @ApiPropertyOptional({
    description: 'Process id of the training worker while it runs',
  })
  workerPid?: number;

  @ApiPropertyOptional({ type: DatasetSizesDto })
  dataset?: DatasetSizesDto;

  @ApiPropertyOptional({
    type: BatchProgressDto,
    description: 'The latest batch, while training',
  })
  progress?: BatchProgressDto;

  @ApiProperty({ type: [EpochMetricsDto] })
  epochs!: EpochMetricsDto[];

  @ApiPropertyOptional({
    description: 'Early stopping ended the training before its last epoch',
  })
  stoppedEarly?: boolean;

  @ApiPropertyOptional({ type: TimingsDto })
  timings?: TimingsDto;

  @ApiPropertyOptional({ type: JobResultDto })
  result?: JobResultDto;

  @ApiPropertyOptional({ example: 'interrupted by a trainer restart' })
  error?: string;
}
