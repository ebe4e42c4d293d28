import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MayBeOmitted } from '../../training-jobs/dto/may-be-omitted.js';

/** Recorded requests one replay reads at most (each holds up to 64 images). */
export const MAX_REPLAY_REQUESTS = 100_000;
const MAX_BATCH_SIZE = 256;

export class ReplayModelDto {
  @ApiProperty({ example: 'fashion-cnn', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: 'model.name must be a model name of the registry',
  })
  name!: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 2 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  version!: number;
}

/** Exactly one of the two ways to name a range. */
const ONE_RANGE = 'source must give either last or from (and to), not both';

/** Kafka's rule for topic names. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export class ReplaySourceDto {
  @ApiPropertyOptional({
    default: 'fashion-images',
    example: 'fashion-images.ingest',
    pattern: TOPIC_NAME.source,
    description:
      "fashion-images (the gateways' requests, answered on fashion-images.reply) or a streaming " +
      'input topic (image files or tensors, answered on `predictions`)',
  })
  @MayBeOmitted()
  @IsString()
  @Matches(TOPIC_NAME, { message: 'topic must be a Kafka topic name' })
  topic?: string;

  @ApiPropertyOptional({
    default: 'fashion-predictions',
    pattern: TOPIC_NAME.source,
    description: "With a streaming input topic: its path's output topic",
  })
  @MayBeOmitted()
  @IsString()
  @Matches(TOPIC_NAME, { message: 'predictions must be a Kafka topic name' })
  predictions?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_REPLAY_REQUESTS,
    example: 1000,
    description: 'The newest this many recorded requests (instead of from/to)',
  })
  @ValidateIf((source: ReplaySourceDto) => source.from === undefined)
  @IsDefined({ message: ONE_RANGE })
  @IsInt()
  @Min(1)
  @Max(MAX_REPLAY_REQUESTS)
  last?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-30T04:00:00Z',
    description: 'The requests recorded from this time on (instead of last)',
  })
  @MayBeOmitted()
  @ValidateBy({
    name: 'notWithLast',
    validator: {
      validate: (_from: unknown, args) =>
        (args?.object as ReplaySourceDto).last === undefined,
      defaultMessage: () => ONE_RANGE,
    },
  })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-30T05:00:00Z',
    description:
      'With from: the requests recorded before this time; now when absent',
  })
  @MayBeOmitted()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' })
  @ValidateBy({
    name: 'afterFrom',
    validator: {
      validate: (to: unknown, args) => {
        const { from } = args?.object as ReplaySourceDto;
        return (
          typeof from === 'string' &&
          typeof to === 'string' &&
          Date.parse(to) > Date.parse(from)
        );
      },
      defaultMessage: () => 'to must come with from, and after it',
    },
  })
  to?: string;
}

export class CreateReplayDto {
  @ApiProperty({
    type: ReplayModelDto,
    description: 'The model version to replay the requests through',
  })
  @IsObject({
    message: 'model must be an object: {"name": ..., "version": ...}',
  })
  @ValidateNested()
  @Type(() => ReplayModelDto)
  model!: ReplayModelDto;

  @ApiProperty({
    type: ReplaySourceDto,
    description:
      'Which recorded inputs to replay: the last N, or a time range, of fashion-images or a streaming input topic',
  })
  @IsObject({
    message: 'source must be an object: {"last": N} or {"from": ...}',
  })
  @ValidateNested()
  @Type(() => ReplaySourceDto)
  source!: ReplaySourceDto;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_BATCH_SIZE,
    default: 64,
    description:
      'Images per model call of the replay: small calls leave the cores to live traffic sooner',
  })
  @MayBeOmitted()
  @IsInt()
  @Min(1)
  @Max(MAX_BATCH_SIZE)
  batchSize?: number;
}
