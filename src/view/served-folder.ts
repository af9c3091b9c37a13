/**
 * The folder `ptyscan view` serves, and the only way its requests reach
 * files: a name relative to the folder, refused when it is absolute, has a
 * `..` part, or resolves (through symlinks) outside the folder; HDF5 paths
 * are walked link by link, and an external link whose target lies outside
 * the folder is refused the same way.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { AccessError, MissingDataError } from '../errors.js';
import { type H5Entry, H5File } from '../h5/index.js';

/** Files listed at most in a folder. */
const MAX_LISTED = 500;
/** HDF5 file names the folder listing offers. */
const HDF5_NAME = /\.(ptyd|h5|hdf5|hdf|nxs|cxi)$/i;

/** Where an HDF5 path lands once its external links are followed. */
export interface Located {
  /** The file that holds the object (open: close it through {@link Walk.close}). */
  h5: H5File;
  /** The object's path inside that file. */
  inner: string;
  /** What is at the path in that file (an external link only when it is dead or refused). */
  entry: H5Entry;
}

/** Open files of one request; {@link Walk.close} closes them all. */
export interface Walk {
  locate(path: string): Located;
  close(): void;
}

/** A served folder. */
export class ServedFolder {
  /** The folder, with symlinks resolved. */
  readonly root: string;

  constructor(folder: string) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new MissingDataError(`${folder}: no such folder to serve.`, {
        file: folder,
        expected: 'a folder',
        found: existsSync(folder) ? 'not a folder' : 'nothing',
      });
    }
    this.root = realpathSync(folder);
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  /**
   * The real path of `name` (relative to the folder).
   *
   * @throws AccessError for an absolute name, a `..` part, or a path leaving the folder.
   * @throws MissingDataError when nothing is there (unless `allowMissing`, for a file still to come).
   */
  resolve(name: string, allowMissing = false): string {
    if (name === '' || name.includes('\0') || isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
      throw new AccessError(`'${name}': only names relative to the served folder can be read.`, {
        file: name,
        expected: 'a path relative to the served folder',
        found: name === '' ? 'an empty name' : 'an absolute path',
      });
    }
    if (name.split(/[\\/]/).includes('..')) {
      throw new AccessError(`'${name}': '..' is not allowed in a file name.`, {
        file: name,
        expected: 'a path inside the served folder',
        found: "a '..' part",
      });
    }
    const path = join(this.root, name);
    if (!existsSync(path)) {
      // A file still to come (a scan about to start) may be watched: its folder must be ours.
      let parent = dirname(path);
      while (!existsSync(parent)) parent = dirname(parent);
      if (allowMissing && this.inside(realpathSync(parent))) return path;
      throw new MissingDataError(`'${name}': no such file in the served folder.`, {
        file: name,
        expected: 'an existing file',
        found: 'nothing',
      });
    }
    const real = realpathSync(path);
    if (!this.inside(real)) {
      throw new AccessError(`'${name}' leaves the served folder (a symlink to ${real}).`, {
        file: name,
        expected: 'a file inside the served folder',
        found: real,
      });
    }
    return real;
  }

  /** The folder-relative name of a real path inside the folder. */
  nameOf(real: string): string {
    return relative(this.root, real).split(sep).join('/');
  }

  /** HDF5 files in the folder and its subfolders (up to 500, sorted). */
  list(): string[] {
    const found: string[] = [];
    const visit = (dir: string, depth: number): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (found.length >= MAX_LISTED) return;
        const path = join(dir, entry.name);
        if (entry.isDirectory() && depth < 3) visit(path, depth + 1);
        else if (entry.isFile() && HDF5_NAME.test(entry.name)) found.push(this.nameOf(path));
      }
    };
    visit(this.root, 0);
    return found.sort();
  }

  /** The file an external link of `from` points at, checked to be inside the folder; null when missing. */
  private linkTarget(from: string, target: string, where: string): string | null {
    const path = isAbsolute(target) ? target : join(dirname(from), target);
    if (!existsSync(path)) {
      if (!this.inside(path)) this.refuseLink(where, target, path);
      return null;
    }
    const real = realpathSync(path);
    if (!this.inside(real)) this.refuseLink(where, target, real);
    return real;
  }

  private refuseLink(where: string, target: string, real: string): never {
    throw new AccessError(
      `${where} is an external link to ${target}, outside the served folder: not followed.`,
      {
        file: real,
        dataset: where,
        expected: 'a link target inside the served folder',
        found: real,
      },
    );
  }

  /**
   * Opens `name` for one request: its paths are walked part by part, and at
   * each external link the target file (checked to be inside the folder) is
   * opened and the walk goes on there, so no read follows a link HDF5 itself
   * would resolve.
   */
  open(name: string): Walk {
    const first = this.resolve(name);
    const files = new Map<string, H5File>();
    const openFile = (real: string): H5File => {
      let h5 = files.get(real);
      if (!h5) {
        h5 = H5File.open(real, 'r', { lock: false });
        files.set(real, h5);
      }
      return h5;
    };
    const root = openFile(first);
    const locate = (path: string): Located => {
      const parts = path.split('/').filter((p) => p !== '' && p !== '.');
      if (parts.includes('..')) {
        throw new AccessError(`${name}:${path}: '..' is not an HDF5 path part.`, {
          file: name,
          dataset: path,
          expected: 'an absolute HDF5 path',
          found: "a '..' part",
        });
      }
      let h5 = root;
      let inner = '/';
      let entry: H5Entry = { kind: 'group', path: '/' };
      const shown: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        shown.push(part);
        inner = inner === '/' ? `/${part}` : `${inner}/${part}`;
        entry = h5.entry(inner);
        if (entry.kind !== 'external-link') continue;
        const where = `${name}:/${shown.join('/')}`;
        const target = this.linkTarget(h5.file, entry.targetFile, where);
        if (target === null) {
          if (i < parts.length - 1) {
            throw new MissingDataError(
              `${where} links to ${entry.targetFile}, which does not exist (yet).`,
              {
                file: name,
                dataset: `/${shown.join('/')}`,
                expected: entry.targetFile,
                found: 'a dead external link',
              },
            );
          }
          break;
        }
        h5 = openFile(target);
        inner = entry.targetPath.startsWith('/') ? entry.targetPath : `/${entry.targetPath}`;
        entry = h5.entry(inner);
      }
      return { h5, inner, entry };
    };
    return {
      locate,
      close() {
        for (const h5 of files.values()) h5.close();
        files.clear();
      },
    };
  }
}
