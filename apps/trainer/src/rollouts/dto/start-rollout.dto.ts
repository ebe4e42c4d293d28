import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ROLLOUT_MODES,
  type RolloutMode,
  type RolloutThresholds,
} from '#fmnist';
import { MayBeOmitted } from '../../training-jobs/dto/may-be-omitted.js';

export class RolloutThresholdsDto implements RolloutThresholds {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000,
    example: 200,
    description:
      'Requests the candidate must have been given (over every classifier) before a decision',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  minRequests!: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.01,
    description: 'Candidate errors per request it was given',
  })
  @MayBeOmitted()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  maxErrorRate?: number;

  @ApiPropertyOptional({
    exclusiveMinimum: true,
    minimum: 0,
    maximum: 3_600_000,
    example: 250,
    description:
      "The 99th percentile (ms) of the candidate's model calls that answered the requests",
  })
  @MayBeOmitted()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(Number.MIN_VALUE)
  @Max(3_600_000)
  maxLatencyP99Ms?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.95,
    description:
      "The share of images on which the candidate answers the active model's class",
  })
  @MayBeOmitted()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minAgreement?: number;
}

export class StartRolloutDto {
  @ApiProperty({
    enum: ROLLOUT_MODES,
    description:
      'shadow: the candidate also scores the share, its answers compared and never returned; canary: it answers the share',
  })
  @IsIn(ROLLOUT_MODES)
  mode!: RolloutMode;

  @ApiProperty({
    minimum: 1,
    maximum: 100,
    example: 20,
    description:
      'Share of the requests that name no model version, chosen from each request id',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(100)
  percent!: number;

  @ApiPropertyOptional({
    type: RolloutThresholdsDto,
    description:
      'Promote the candidate once it has been given minRequests requests with every figure within these limits',
  })
  @MayBeOmitted()
  @IsObject()
  @ValidateNested()
  @Type(() => RolloutThresholdsDto)
  autoPromote?: RolloutThresholdsDto;

  @ApiPropertyOptional({
    type: RolloutThresholdsDto,
    description:
      'End the rollout (rolled back) as soon as, after minRequests requests, one figure is beyond these limits',
  })
  @MayBeOmitted()
  @IsObject()
  @ValidateNested()
  @Type(() => RolloutThresholdsDto)
  autoRollback?: RolloutThresholdsDto;
}
