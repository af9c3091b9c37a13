/** Shared pieces of the viewer tests: the served folder, HTTP calls, a real browser. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT } from '../live/helpers.js';

/** Where the browser tests leave their screenshots (git-ignored). */
export const ARTEFACTS = join(ROOT, 'test-artefacts', 'view');

/** Debian's chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless chromium with the flags that work on this kind of machine (a fresh profile each time). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a screenshot of `page` as `name`.png under {@link ARTEFACTS}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTEFACTS, { recursive: true });
  const path = join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A GET to the server; `token` null sends none. */
export async function get(
  base: string,
  path: string,
  token: string | null,
): Promise<{ status: number; type: string; body: Buffer; json: () => unknown }> {
  const response = await fetch(new URL(path, base), {
    headers: token === null ? {} : { 'x-ptyscan-token': token },
  });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body,
    json: () => JSON.parse(body.toString('utf8')),
  };
}

export { python } from '../helpers/python.js';
