/**
 * The page's built assets (`npm run build` bundles src/view/page with
 * esbuild into dist/src/view/assets), found next to this module in the
 * package, or in the project's dist/ when running from the sources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileFormatError } from '../errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const CANDIDATES = [join(here, 'assets'), join(here, '..', '..', 'dist', 'src', 'view', 'assets')];

/** File names of the bundle. */
export const ASSET_FILES = ['page.js', 'page.css'] as const;
export type AssetName = (typeof ASSET_FILES)[number];

const TYPES: Record<AssetName, string> = {
  'page.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
};

/** The folder holding the built page. */
export function assetFolder(): string {
  const found = CANDIDATES.find((c) => ASSET_FILES.every((f) => existsSync(join(c, f))));
  if (found === undefined) {
    throw new FileFormatError(
      `The viewer page is not built (looked in ${CANDIDATES.join(', ')}): run 'npm run build'.`,
      { file: CANDIDATES[0]!, expected: ASSET_FILES.join(', '), found: 'nothing' },
    );
  }
  return found;
}

/** The bytes and content type of each asset, read once. */
export function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const folder = assetFolder();
  return new Map(
    ASSET_FILES.map((name) => [
      name,
      { type: TYPES[name], body: readFileSync(join(folder, name)) },
    ]),
  );
}

/** The HTML page: the token travels in a meta tag, assets carry it in their URLs. */
export function indexHtml(token: string, title: string): string {
  const t = encodeURIComponent(token);
  const safeTitle = title.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ptyscan-token" content="${t}">
<link rel="icon" href="data:,">
<title>ptyscan view: ${safeTitle}</title>
<link rel="stylesheet" href="/assets/page.css?token=${t}">
</head>
<body>
<div id="root"></div>
<script type="module" src="/assets/page.js?token=${t}"></script>
</body>
</html>
`;
}
