/**
 * Remakes the README's pictures in docs/img/ from the demo's file (run
 * `npm run demo` first): screenshots of `ptyscan view` in Debian's chromium
 * (the dashboard, and h5web on chunks/0/data) and three quick-look PNGs.
 * Run: npx tsx scripts/readme-images.ts
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { h5ready } from '../src/h5/index.js';
import { startViewServer } from '../src/view/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'img');
mkdirSync(out, { recursive: true });
for (const name of ['sum', 'transmission', 'dpc_x']) {
  copyFileSync(join(root, 'demo-out', 'preview', `${name}.png`), join(out, `preview-${name}.png`));
}
await h5ready();
const server = await startViewServer({ target: join(root, 'demo-out', 'scan.ptyd') });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1740, height: 980 } });
  await page.goto(server.url);
  await page.getByTestId('scan-state').filter({ hasText: 'complete' }).waitFor();
  await page.getByTestId('histogram-canvas').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'view-dashboard.png') });
  await page.getByTestId('tab-browser').click();
  const tree = page.getByRole('treeitem');
  await tree.filter({ hasText: /^chunks$/ }).click();
  await tree.filter({ hasText: /^0$/ }).click();
  await tree.filter({ hasText: /^data$/ }).click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, 'view-h5web.png') });
} finally {
  await browser.close();
  await server.close();
}
