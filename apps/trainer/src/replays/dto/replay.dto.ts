import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  REPLAY_STATES,
  type ClassChange,
  type Percentiles,
  type Replay,
  type ReplayProgress,
  type ReplayReport,
  type ReplaySource,
  type ReplayState,
} from '../replay.js';
import { ReplayModelDto } from './create-replay.dto.js';

class ReplaySourceDescriptionDto implements ReplaySource {
  @ApiProperty({ example: 'fashion-images' })
  topic!: string;

  @ApiPropertyOptional({ example: 'fashion-predictions' })
  predictions?: string;

  @ApiPropertyOptional({ example: 1000 })
  last?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  to?: string;
}

class ReplayProgressDto implements ReplayProgress {
  @ApiProperty({ example: 420, description: 'Recorded messages read' })
  read!: number;

  @ApiProperty({
    example: 1000,
    description: 'Messages in the range (an upper bound for a time range)',
  })
  total!: number;

  @ApiProperty({ example: 398, description: 'Images compared so far' })
  compared!: number;
}

class ClassAgreementDto {
  @ApiProperty({ example: 'shirt' })
  label!: string;

  @ApiProperty({
    example: 96,
    description: 'Images the served model put in this class',
  })
  compared!: number;

  @ApiProperty({ example: 0.94 })
  agreement!: number;
}

class ClassChangeDto implements ClassChange {
  @ApiProperty({ example: 'shirt' })
  label!: string;

  @ApiProperty({ example: 96 })
  served!: number;

  @ApiProperty({ example: 101 })
  replayed!: number;
}

class PercentilesDto implements Percentiles {
  @ApiProperty({ example: 2.1 })
  p50!: number;

  @ApiProperty({ example: 9.8 })
  p99!: number;
}

class ReplayLatencyDto {
  @ApiPropertyOptional({ type: PercentilesDto })
  servedInferenceMs?: PercentilesDto;

  @ApiPropertyOptional({ type: PercentilesDto })
  replayInferenceMs?: PercentilesDto;

  @ApiProperty({ example: 2400 })
  replayImagesPerSecond!: number;
}

class ServedByDto {
  @ApiProperty({ type: ReplayModelDto })
  model!: ReplayModelDto;

  @ApiProperty({ example: 1000 })
  images!: number;
}

class PartitionRangeDto {
  @ApiProperty({ example: 0 })
  partition!: number;

  @ApiProperty({ example: 1200, description: 'First offset read' })
  start!: number;

  @ApiProperty({ example: 1450, description: 'Offset after the last one read' })
  end!: number;
}

class ReplayReportDto implements ReplayReport {
  @ApiProperty({ example: 1000 })
  requests!: number;

  @ApiProperty({ example: 998 })
  answered!: number;

  @ApiProperty({ example: 0 })
  invalid!: number;

  @ApiProperty({ example: 1000, description: 'Images compared' })
  compared!: number;

  @ApiProperty({
    example: 0.97,
    description:
      'Share of the images the replayed version put in the class that was answered',
  })
  agreement!: number;

  @ApiProperty({ type: [ClassAgreementDto] })
  perClass!: readonly ClassAgreementDto[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description: 'flipMatrix[answered][replayed]: image counts, label order',
  })
  flipMatrix!: number[][];

  @ApiProperty({ type: [ServedByDto] })
  servedBy!: ServedByDto[];

  @ApiProperty({ type: [ClassChangeDto] })
  classChanges!: ClassChangeDto[];

  @ApiProperty({ type: ReplayLatencyDto })
  latency!: ReplayLatencyDto;

  @ApiProperty({ type: [PartitionRangeDto] })
  partitions!: PartitionRangeDto[];
}

export class ReplayDto implements Replay {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: REPLAY_STATES })
  state!: ReplayState;

  @ApiProperty({ type: ReplayModelDto })
  model!: ReplayModelDto;

  @ApiProperty({ type: ReplaySourceDescriptionDto })
  source!: ReplaySourceDescriptionDto;

  @ApiProperty({ example: 64 })
  batchSize!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startedAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;

  @ApiPropertyOptional({ type: ReplayProgressDto })
  progress?: ReplayProgressDto;

  @ApiPropertyOptional({ type: ReplayReportDto })
  report?: ReplayReportDto;

  @ApiPropertyOptional({ example: 'the replay worker exited (SIGKILL)' })
  error?: string;
}
