import { applyDecorators } from '@nestjs/common';
import { IsInt, Max, Min } from 'class-validator';

/** A TCP port setting; the message names the variable. */
export function IsPort(variable: string): PropertyDecorator {
  const message = `${variable} must be a port number (0 to 65535)`;
  return applyDecorators(
    IsInt({ message }),
    Min(0, { message }),
    Max(65535, { message }),
  );
}
