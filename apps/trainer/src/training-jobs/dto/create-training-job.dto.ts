import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  plainToInstance,
  Transform,
  Type,
  type ClassConstructor,
  type TransformFnParams,
} from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ARCHITECTURES,
  DEFAULT_TRAINING,
  type ArchitectureName,
} from '#fmnist';
import { FmnistDatasetDto, FolderDatasetDto } from './dataset.dto.js';
import { MayBeOmitted } from './may-be-omitted.js';

export class EarlyStoppingDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 2,
    description:
      'Epochs without improvement of the validation loss before stopping',
  })
  @IsInt()
  @Min(1)
  patience!: number;

  @ApiPropertyOptional({
    minimum: 0,
    default: 0,
    description:
      'Smallest decrease of the validation loss that counts as improvement',
  })
  @MayBeOmitted()
  @IsNumber()
  @Min(0)
  minDelta?: number;
}

/**
 * The dataset as the DTO of its kind; an unknown kind is validated as fmnist, whose message names
 * both kinds. Chosen here rather than by class-transformer's discriminator, which throws (a 500)
 * on a list holding null; anything but an object is left for @IsObject to refuse.
 */
function toDatasetDto({ obj, key }: TransformFnParams): unknown {
  const value = (obj as Record<string, unknown>)[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return value;
  }
  const { kind } = value as { kind?: unknown };
  const dto: ClassConstructor<FmnistDatasetDto | FolderDatasetDto> =
    kind === 'folder' ? FolderDatasetDto : FmnistDatasetDto;
  return plainToInstance(dto, value);
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MODEL_NAME_MAX_LENGTH = 100;
/** Batches of one or two images take hours for an epoch and train poorly: nobody means them. */
const MIN_BATCH_SIZE = 8;

/** The defaults documented are default-cnn's. */
const PER_ARCHITECTURE =
  "The default shown is default-cnn's; each architecture has its own (GET /v1/architectures).";

const architectureNames = ARCHITECTURES.map(
  (architecture) => architecture.name,
);

@ApiExtraModels(FmnistDatasetDto, FolderDatasetDto)
export class CreateTrainingJobDto {
  @ApiPropertyOptional({
    oneOf: [
      { $ref: getSchemaPath(FmnistDatasetDto) },
      { $ref: getSchemaPath(FolderDatasetDto) },
    ],
    discriminator: { propertyName: 'kind' },
    description:
      'What to train on; the whole official training split when absent',
  })
  @MayBeOmitted()
  @IsObject({
    message:
      'dataset must be an object: {"kind": "fmnist"} or {"kind": "folder", "path": ...}',
  })
  @ValidateNested()
  @Transform(toDatasetDto)
  dataset?: FmnistDatasetDto | FolderDatasetDto;

  @ApiPropertyOptional({
    enum: architectureNames,
    default: 'default-cnn',
    description: ARCHITECTURES.map((a) => `${a.name}: ${a.description}`).join(
      '; ',
    ),
  })
  @MayBeOmitted()
  @IsIn(architectureNames, {
    message: `architecture must be one of ${architectureNames.join(', ')}`,
  })
  architecture?: ArchitectureName;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    default: DEFAULT_TRAINING.epochs,
    description: `At most TRAINER_MAX_EPOCHS. ${PER_ARCHITECTURE}`,
  })
  @MayBeOmitted()
  @IsInt()
  @Min(1)
  epochs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_BATCH_SIZE,
    maximum: 4096,
    default: DEFAULT_TRAINING.batchSize,
    description: `At least ${MIN_BATCH_SIZE}: smaller batches would hold the worker for hours. ${PER_ARCHITECTURE}`,
  })
  @MayBeOmitted()
  @IsInt()
  @Min(MIN_BATCH_SIZE)
  @Max(4096)
  batchSize?: number;

  @ApiPropertyOptional({
    minimum: 1e-7,
    maximum: 1,
    default: DEFAULT_TRAINING.learningRate,
    description:
      'Initial Adam learning rate; it falls linearly to zero over the epochs of the job ' +
      `(constant for seed-cnn, as in Keras). ${PER_ARCHITECTURE}`,
  })
  @MayBeOmitted()
  @IsNumber()
  @Min(1e-7)
  @Max(1)
  learningRate?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 0.5,
    default: DEFAULT_TRAINING.validationSplit,
    description:
      'Share of the training images kept aside to validate each epoch',
  })
  @MayBeOmitted()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  validationSplit?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 0.5,
    default: DEFAULT_TRAINING.labelSmoothing,
    description:
      'Share of each training target spread evenly over the ten classes, as Keras label ' +
      `smoothing (0: one-hot targets; 0 for seed-cnn). ${PER_ARCHITECTURE}`,
  })
  @MayBeOmitted()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  labelSmoothing?: number;

  @ApiPropertyOptional({
    type: EarlyStoppingDto,
    description:
      'Stop when the validation loss stalls (the training loss when validationSplit is 0); ' +
      'the best epoch is kept',
  })
  @MayBeOmitted()
  @IsObject({ message: 'earlyStopping must be an object: {"patience": ...}' })
  @ValidateNested()
  @Type(() => EarlyStoppingDto)
  earlyStopping?: EarlyStoppingDto;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 0xffffffff,
    description:
      'Fixes the training subset and the validation and test splits; random when absent',
  })
  @MayBeOmitted()
  @IsInt()
  @Min(0)
  @Max(0xffffffff)
  seed?: number;

  @ApiPropertyOptional({
    example: 'fashion-cnn',
    maxLength: MODEL_NAME_MAX_LENGTH,
    pattern: MODEL_NAME.source,
    description:
      'Name the model is published under (next free version); TRAINER_MODEL_NAME when absent',
  })
  @MayBeOmitted()
  @IsString()
  @MaxLength(MODEL_NAME_MAX_LENGTH)
  @Matches(MODEL_NAME, {
    message:
      'modelName must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
  })
  modelName?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Make the trained model the active one that classifiers serve',
  })
  @MayBeOmitted()
  @IsBoolean()
  promote?: boolean;
}
