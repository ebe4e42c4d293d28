import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only an absent field skips validation: `null` is a value, refused by
 * the field's other rules, rather than quietly read as "use the default".
 */
export const MayBeOmitted = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);
