import semver from 'semver';

/** The version of HMS that plugins' `hms` ranges are checked against. */
export const HMS_VERSION = '0.1.0';

/** True when `range` (a plugin's `hms` field) includes `version` (default {@link HMS_VERSION}). */
export function isCompatibleHms(range: string, version: string = HMS_VERSION): boolean {
  return semver.satisfies(version, range, { includePrerelease: true });
}
