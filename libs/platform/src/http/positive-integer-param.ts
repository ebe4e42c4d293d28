import {
  BadRequestException,
  createParamDecorator,
  type ArgumentMetadata,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';

/** Positive integers a JavaScript number holds exactly: 1 to 2^53 - 1. */
export const POSITIVE_INTEGER_SCHEMA = {
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;

/** Turns a path segment of decimal digits into its number; anything else is a 400. */
export class ParsePositiveIntPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const number = /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number)) {
      throw new BadRequestException(
        `${data ?? 'the parameter'} must be a positive integer (1 to 2^53 - 1), not '${value}'`,
      );
    }
    return number;
  }
}

/**
 * The path segment as it came: a custom parameter, which the global ValidationPipe leaves alone
 * (for a `number` it would turn "1e3" or "0x10" into a number before ParsePositiveIntPipe saw it).
 */
const RawPathParam = createParamDecorator(
  (name: string, context: ExecutionContext) =>
    context.switchToHttp().getRequest<Request>().params[name],
);

/**
 * A path parameter that is a positive integer, parsed and documented from one definition: the
 * description says `integer`, 1 to 2^53 - 1, exactly what ParsePositiveIntPipe lets through.
 */
export function PositiveIntParam(
  name: string,
  description?: string,
): ParameterDecorator {
  return (target, method, index) => {
    RawPathParam(name, ParsePositiveIntPipe)(target, method, index);
    if (method === undefined) return;
    ApiParam({ name, description, schema: { ...POSITIVE_INTEGER_SCHEMA } })(
      target,
      method,
      Object.getOwnPropertyDescriptor(target, method)!,
    );
  };
}
