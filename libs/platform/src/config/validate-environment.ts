import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Builds the `validate` hook of ConfigModule: the environment becomes an instance of `schema`
 * (defaults from its initialisers, numbers converted), and any invalid variable stops the start
 * with a message naming it.
 */
export function validateEnvironment<T extends object>(
  schema: ClassConstructor<T>,
) {
  return (raw: Record<string, unknown>): T => {
    const environment = plainToInstance(schema, raw, {
      enableImplicitConversion: true,
      exposeDefaultValues: true,
    });
    const errors = validateSync(environment, { skipMissingProperties: false });
    if (errors.length > 0) {
      const problems = errors.flatMap((error) =>
        Object.values(error.constraints ?? {}).map((message) => `  ${message}`),
      );
      throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
    }
    return environment;
  };
}
