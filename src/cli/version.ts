import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileFormatError } from '../errors.js';

/** ptyscan's own package.json: its folder and version. */
interface PackageInfo {
  /** The package folder (holding package.json, dist/, build/, scripts/). */
  root: string;
  version: string;
}

/**
 * The folder and version of ptyscan's own package, found by walking up from
 * this module: the source (`src/cli/`) and the build (`dist/src/cli/`) sit at
 * different depths.
 *
 * @throws FileFormatError when no ptyscan package.json is found above `from`.
 */
export function packageInfo(from: string = import.meta.url): PackageInfo {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const file = join(dir, 'package.json');
    const pkg = readJson(file);
    if (pkg !== undefined && pkg.name === 'ptyscan' && typeof pkg.version === 'string') {
      return { root: dir, version: pkg.version };
    }
    const up = dirname(dir);
    if (up === dir) {
      throw new FileFormatError('No ptyscan package.json found above the CLI module.', {
        file: fileURLToPath(from),
        expected: "a package.json with name 'ptyscan'",
        found: 'none up to the file system root',
      });
    }
    dir = up;
  }
}

/**
 * The version in ptyscan's own package.json (see {@link packageInfo}).
 *
 * @throws FileFormatError when no ptyscan package.json is found above `from`.
 */
export function packageVersion(from: string = import.meta.url): string {
  return packageInfo(from).version;
}

function readJson(file: string): { name?: unknown; version?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null ? value : undefined;
}
