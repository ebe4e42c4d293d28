import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateBy } from 'class-validator';

/** At most 16 digits: the versions a number holds exactly are below 2^53, 16 digits long. */
const MODEL = /^[A-Za-z0-9._-]{1,100}(:[1-9]\d{0,15})?$/;

/** The version of `name:version`, when there is one, as a number that holds it exactly. */
const hasSafeVersion = (model: unknown): boolean => {
  const version = typeof model === 'string' ? model.split(':')[1] : undefined;
  return version === undefined || Number.isSafeInteger(Number(version));
};

export class ClassificationQueryDto {
  @ApiPropertyOptional({
    description:
      'Model to use: `name` (its newest version) or `name:version`; the active model when absent',
    example: 'fashion-cnn:2',
    pattern: MODEL.source,
  })
  @IsOptional()
  @Matches(MODEL, {
    message:
      'model must be a model name, optionally followed by :version (e.g. fashion-cnn:2)',
  })
  @ValidateBy({
    name: 'safeVersion',
    validator: {
      validate: hasSafeVersion,
      defaultMessage: () =>
        `the version in model must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`,
    },
  })
  model?: string;
}
