import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_SAMPLES = 64;

export class SamplesQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SAMPLES,
    default: 12,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'count must be an integer' })
  @Min(1, { message: 'count must be at least 1' })
  @Max(MAX_SAMPLES, { message: `count must be at most ${MAX_SAMPLES}` })
  count: number = 12;
}

export class SampleDto {
  @ApiProperty({
    example: 4271,
    description: 'Position in the official test split (t10k)',
  })
  index!: number;

  @ApiProperty({ example: 'Sneaker', description: 'The true label' })
  label!: string;

  @ApiProperty({ example: 7 })
  labelIndex!: number;

  @ApiProperty({ description: 'Base64 of the 28x28 grayscale PNG' })
  png!: string;
}
