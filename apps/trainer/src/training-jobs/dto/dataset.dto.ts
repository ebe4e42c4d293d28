import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { MayBeOmitted } from './may-be-omitted.js';

// An unknown kind is validated as fmnist (class-transformer's fallback), so both name both kinds.
const KIND_MESSAGE = 'kind must be "fmnist" or "folder"';

export class FmnistDatasetDto {
  @ApiProperty({
    enum: ['fmnist'],
    description: 'The official Fashion-MNIST split',
  })
  @IsIn(['fmnist'], { message: KIND_MESSAGE })
  kind!: 'fmnist';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 60_000,
    example: 3000,
    description:
      'Train on this many images of the 60,000 (a seeded random subset); all when absent',
  })
  @MayBeOmitted()
  @IsInt()
  @Min(1)
  @Max(60_000)
  trainLimit?: number;
}

export class FolderDatasetDto {
  @ApiProperty({
    enum: ['folder'],
    description: 'Images laid out `<label>/<file>` under the data root',
  })
  @IsIn(['folder'], { message: KIND_MESSAGE })
  kind!: 'folder';

  @ApiProperty({
    example: 'my-photos',
    description:
      'Folder relative to the data root (TRAINER_DATA_ROOT); nothing outside it is read. ' +
      'Not absolute, no `..` segments (refused with 400); a folder that does not exist is a 404.',
    minLength: 1,
    // What resolveDatasetFolder lets through, written as segments that do not start with a dot.
    pattern: '^[^/\\\\.][^/\\\\]*([/\\\\][^/\\\\.][^/\\\\]*)*$',
  })
  @IsString()
  @IsNotEmpty()
  path!: string;

  @ApiPropertyOptional({
    minimum: 0.05,
    maximum: 0.5,
    default: 0.2,
    description: 'Share of the images held out for the test evaluation',
  })
  @MayBeOmitted()
  @IsNumber()
  @Min(0.05)
  @Max(0.5)
  testSplit?: number;
}
