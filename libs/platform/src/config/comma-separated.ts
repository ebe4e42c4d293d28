import { Transform } from 'class-transformer';

/** A list setting written as one comma-separated variable: items trimmed, empty ones dropped. */
export function CommaSeparated(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  );
}
