import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ROLLOUT_MODES,
  ROLLOUT_STATES,
  type RolloutMode,
  type RolloutState,
} from '#fmnist';
import { RolloutThresholdsDto } from './start-rollout.dto.js';

class CandidateDto {
  @ApiProperty({ example: 'fashion-cnn' })
  name!: string;

  @ApiProperty({ example: 4 })
  version!: number;
}

class CheckpointDto {
  @ApiProperty({ example: 200 })
  requests!: number;

  @ApiProperty({ example: 200 })
  compared!: number;

  @ApiProperty({ example: 0.93 })
  agreement!: number;

  @ApiProperty({ example: 0 })
  errorRate!: number;

  @ApiProperty({ type: 'number', nullable: true, example: 12.5 })
  latencyP99Ms!: number | null;
}

class RolloutEventDto {
  @ApiProperty({ example: '2026-11-30T05:00:00.000Z' })
  at!: string;

  @ApiProperty({ enum: ['started', 'promoted', 'rolled-back', 'ended'] })
  event!: string;

  @ApiProperty({
    example: 'errorRate 1 > maxErrorRate 0.1 after 20 requests',
  })
  reason!: string;

  @ApiPropertyOptional({
    type: CheckpointDto,
    description: 'The figures the decision was taken on',
  })
  figures?: CheckpointDto;
}

class ClassAgreementDto {
  @ApiProperty({
    example: 'shirt',
    description: 'The class as the active model answered it',
  })
  label!: string;

  @ApiProperty({ example: 40 })
  compared!: number;

  @ApiProperty({ example: 0.9 })
  agreement!: number;
}

class LatencyDto {
  @ApiProperty({ example: 200, description: 'Requests measured' })
  count!: number;

  @ApiProperty({ type: 'number', nullable: true, example: 4.2 })
  p50Ms!: number | null;

  @ApiProperty({ type: 'number', nullable: true, example: 18 })
  p99Ms!: number | null;
}

class RolloutFiguresDto {
  @ApiProperty({
    example: 2,
    description: 'Classifiers whose tallies are added up',
  })
  classifiers!: number;

  @ApiProperty({
    example: 200,
    description: 'Requests given to the candidate, answered or failed',
  })
  requests!: number;

  @ApiProperty({
    example: 200,
    description: 'Images both models answered, compared',
  })
  compared!: number;

  @ApiProperty({
    example: 0.93,
    description:
      "Share of the compared images where the candidate answered the active model's class",
  })
  agreement!: number;

  @ApiProperty({ type: [ClassAgreementDto], description: 'In label order' })
  perClass!: readonly ClassAgreementDto[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description:
      '`flipMatrix[active][candidate]`: images per pair of answers, in label order',
  })
  flipMatrix!: number[][];

  @ApiProperty({ example: 0 })
  candidateErrors!: number;

  @ApiProperty({ example: 0, description: 'candidateErrors / requests' })
  errorRate!: number;

  @ApiPropertyOptional({
    description: "The candidate's latest failure, as a classifier saw it",
  })
  lastError?: string;

  @ApiProperty({
    type: LatencyDto,
    description:
      "The candidate's model calls that answered the requests (micro-batches), in ms",
  })
  candidateLatency!: LatencyDto;

  @ApiProperty({
    type: LatencyDto,
    description: 'The same for the active model, on the same requests',
  })
  activeLatency!: LatencyDto;
}

/** The rollout as `GET /v1/rollout` shows it: its settings, its state and its figures. */
export class RolloutDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: CandidateDto })
  candidate!: CandidateDto;

  @ApiProperty({ enum: ROLLOUT_MODES })
  mode!: RolloutMode;

  @ApiProperty({ example: 20 })
  percent!: number;

  @ApiPropertyOptional({ type: RolloutThresholdsDto })
  autoPromote?: RolloutThresholdsDto;

  @ApiPropertyOptional({ type: RolloutThresholdsDto })
  autoRollback?: RolloutThresholdsDto;

  @ApiProperty({ enum: ROLLOUT_STATES })
  state!: RolloutState;

  @ApiProperty({ example: '2026-11-30T05:00:00.000Z' })
  startedAt!: string;

  @ApiPropertyOptional({ example: '2026-11-30T05:10:00.000Z' })
  endedAt?: string;

  @ApiProperty({
    type: [RolloutEventDto],
    description: 'Its start and the decision that ended it, with their figures',
  })
  history!: RolloutEventDto[];

  @ApiProperty({
    type: RolloutFiguresDto,
    description: 'Added up over every classifier, through Kafka',
  })
  figures!: RolloutFiguresDto;
}
