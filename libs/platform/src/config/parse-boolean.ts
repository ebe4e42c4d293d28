/**
 * `true`/`false` (any case, also 1/0, yes/no) for `@Transform`; implicit conversion alone would
 * read "false" as true.
 */
export const parseBoolean = ({
  obj,
  key,
}: {
  obj: Record<string, unknown>;
  key: string;
}): unknown => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  return raw;
};
