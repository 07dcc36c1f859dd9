import { isToken } from '@hms/runtime/subjects';
import { InvalidArgumentError } from 'commander';

/** Commander parser of a `<cellId>` argument: one subject token, else a usage error (exit 2). */
export function parseCellId(value: string): string {
  if (!isToken(value)) throw new InvalidArgumentError('use 1-128 characters of A-Z a-z 0-9 _ -');
  return value;
}

/** Commander parser of a comma-separated list of cell ids. */
export function parseCellIds(value: string): string[] {
  const ids = value.split(',').map((v) => v.trim());
  if (!ids.every(isToken)) throw new InvalidArgumentError('use cell ids separated by commas');
  return ids;
}
