/**
 * NXcxi_ptycho in h5web (through `ptyscan view`, in Debian's chromium): the
 * file's default plot (root @default -> entry_1 @default -> the NXdata
 * group) opens as a NeXus heatmap of the frames. A screenshot is left in
 * test-artefacts/view/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { h5ready } from '../../src/h5/index.js';
import { startViewServer } from '../../src/view/index.js';
import { cli } from '../cli/helpers.js';
import { tempDir } from '../helpers/index.js';
import { launchBrowser, screenshot } from '../view/helpers.js';
import { simulatedPtyd } from './helpers.js';

let browser: Browser | undefined;
after(async () => {
  await browser?.close();
});
const dir = tempDir('nxcxi-h5web');

before(async () => {
  await h5ready();
  browser = await launchBrowser();
});

describe('NXcxi_ptycho in h5web', () => {
  it('the entry opens on its NXdata default plot: a heatmap of the frames', async () => {
    const file = join(dir, 'scan.nxs');
    const run = await cli(['convert', simulatedPtyd(dir, 'scan.ptyd', 6, 32, 6), file, '-q']);
    assert.equal(run.code, 0, run.err);
    const server = await startViewServer({ target: file });
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(server.url);
      await page.getByTestId('tab-browser').click();
      // The file itself opens on its default plot (root -> entry_1 -> data).
      await page.getByRole('tab', { name: /NX Heatmap/ }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('Expected some value').count(), 0);
      await page.locator('canvas').first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'nxcxi-default-plot');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
