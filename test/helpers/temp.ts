import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A new empty folder under the system's temp folder, removed with everything
 * in it when the test file (or the `describe` it is called in) is done. Call it
 * where `after()` may be registered: at the top of a file or of a `describe`.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ptyscan-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
