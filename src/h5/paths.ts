/** Paths inside an HDF5 file: always absolute, `/`-separated, without empty parts. */

/** `a//b/` -> `/a/b`; the root is `/`. */
export function absolute(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

/** The group holding `path` (`/` for a top-level object). */
export function parentOf(path: string): string {
  const abs = absolute(path);
  const cut = abs.lastIndexOf('/');
  return cut <= 0 ? '/' : abs.slice(0, cut);
}

/** `path` below the group `base` (`/` or a path). */
export function childOf(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}
