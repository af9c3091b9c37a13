/**
 * The viewer page in a real browser (Debian's chromium through
 * playwright-core): a finished link-mode scan, and a live one where a writer
 * process adds chunks while the page is open. Screenshots are left in
 * test-artefacts/view/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { h5ready } from '../../src/h5/index.js';
import { startViewServer } from '../../src/view/index.js';
import { tempDir } from '../helpers/index.js';
import {
  CHUNK,
  configJson,
  copyRawFrames,
  DRIVER,
  FRAMES,
  killChildren,
  prepareReference,
  simulateRaw,
  spawnNode,
} from '../live/helpers.js';
import { launchBrowser, screenshot } from './helpers.js';

let browser: Browser;

// The browser and the children stop before their folder goes.
after(async () => {
  killChildren();
  await browser?.close();
});
const dir = tempDir('view-browser');

before(async () => {
  await h5ready();
  await simulateRaw(join(dir, 'raw'));
  browser = await launchBrowser();
});

/** Pixels of a canvas that are neither the white background nor one flat colour. */
async function inkedPixels(
  page: Page,
  testId: string,
): Promise<{ inked: number; colours: number }> {
  return page.getByTestId(testId).evaluate((node) => {
    const canvas = node as HTMLCanvasElement;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
    if (!data) return { inked: 0, colours: 0 };
    let inked = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (r < 250 || g < 250 || b < 250) inked++;
      colours.add((r << 16) | (g << 8) | b);
    }
    return { inked, colours: colours.size };
  });
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}

describe('the viewer page in chromium', () => {
  it('a finished scan: frame count, a drawn summed pattern, and the h5web tree with chunks/0/data', async () => {
    const folder = join(dir, 'finished');
    await prepareReference(join(dir, 'raw'), join(folder, 'scan.ptyd'));
    const server = await startViewServer({ target: join(folder, 'scan.ptyd') });
    const page = await browser.newPage({ viewport: { width: 1760, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(server.url);
      await page
        .getByTestId('frame-count')
        .filter({ hasText: String(FRAMES) })
        .waitFor({ timeout: 30_000 });
      assert.equal(await text(page, 'scan-state'), 'complete');
      assert.equal(await text(page, 'chunk-count'), String(FRAMES / CHUNK));
      await page.getByTestId('histogram-canvas').waitFor();
      const sum = await inkedPixels(page, 'sum-canvas');
      assert.ok(sum.inked > 50_000 && sum.colours > 50, `sum canvas: ${JSON.stringify(sum)}`);
      for (const id of ['transmission-canvas', 'dpc-y-canvas', 'dpc-x-canvas', 'frame-canvas']) {
        assert.ok((await inkedPixels(page, id)).inked > 5_000, `${id} is drawn`);
      }
      await screenshot(page, 'finished-dashboard');

      await page.getByTestId('tab-browser').click();
      const tree = page.getByRole('treeitem');
      await tree.filter({ hasText: /^chunks$/ }).click();
      await tree.filter({ hasText: /^0$/ }).click();
      await tree.filter({ hasText: /^data$/ }).click();
      await page.getByRole('tab', { name: 'Inspect' }).click();
      const shape = page.getByText(`${CHUNK} x 32 x 32`);
      await shape.first().waitFor({ timeout: 30_000 });
      assert.ok(await page.getByText('/chunks/0/data').first().isVisible());
      await screenshot(page, 'finished-h5web');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('a live scan: the count rises chunk by chunk while a writer process works, then reads complete', async () => {
    const folder = join(dir, 'live');
    const raw = join(folder, 'raw');
    mkdirSync(raw, { recursive: true });
    const master = join(folder, 'scan.ptyd');
    const config = join(folder, 'scan.json');
    writeFileSync(config, configJson(raw, master));
    const server = await startViewServer({ target: master, pollMs: 100 });
    const page = await browser.newPage({ viewport: { width: 1760, height: 1000 } });
    try {
      await page.goto(server.url);
      await page
        .getByTestId('scan-state')
        .filter({ hasText: 'waiting' })
        .waitFor({ timeout: 30_000 });
      const writer = spawnNode(DRIVER, [config, '--chunk', String(CHUNK), '--poll', '50']);
      const seen: number[] = [];
      const states = new Set<string>();
      let shot = false;
      for (let start = 0; start < FRAMES; start += CHUNK) {
        copyRawFrames(join(dir, 'raw'), raw, start, start + CHUNK);
        // Give the writer and the page time to take this chunk before the next arrives.
        const until = Date.now() + 20_000;
        while (Date.now() < until) {
          const count = Number(await text(page, 'frame-count'));
          states.add(await text(page, 'scan-state'));
          if (seen.at(-1) !== count) seen.push(count);
          if (count >= start + CHUNK) break;
          await sleep(50);
        }
        if (!shot && start >= 2 * CHUNK) {
          await screenshot(page, 'live-running');
          shot = true;
        }
      }
      await page
        .getByTestId('scan-state')
        .filter({ hasText: 'complete' })
        .waitFor({ timeout: 30_000 });
      assert.equal(await text(page, 'frame-count'), String(FRAMES));
      assert.equal(await writer.exited, 0, writer.stderr());
      const rising = seen.filter((v) => v > 0 && v < FRAMES);
      assert.ok(rising.length >= 3, `counts seen on the page: ${seen.join(', ')}`);
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        seen,
        'the count only rises',
      );
      assert.ok(states.has('running'), `states seen: ${[...states].join(', ')}`);
      await screenshot(page, 'live-complete');
    } finally {
      await page.close();
      await server.close();
    }
  });
});
