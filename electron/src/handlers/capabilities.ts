/**
 * Capability handles: the renderer never names a file by path. The main process hands out an
 * opaque handle when the user picks a file or folder in a native dialog or drops one on the
 * window; every request that reads or writes names a handle (or an entry inside a folder handle),
 * and this store maps it back to a path inside what was picked. A compromised or buggy renderer
 * therefore reaches only the user's choices plus the app's own data folder.
 *
 * Handle text: `cap-<token>:<name>` for a picked root (`name` is its base name, for people), and
 * `cap-<token>:<name>/<relative/path>` for an entry inside a picked folder. Grants are kept in
 * the app data folder so that remembered choices (settings) still work after a restart.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@nwave/runtime';
import { writeFileAtomic } from '@nwave/runtime/node';

export type GrantKind = 'file' | 'folder';

interface Grant {
  path: string;
  kind: GrantKind;
}

/** What a resolved handle must be: an existing file or folder, or a file to create inside a folder. */
export type Want = 'file' | 'folder' | 'new-file';

/** Token of the app's own data folder (always granted). */
export const APP_DATA_TOKEN = 'appdata';
/** Grants remembered at most (the oldest are forgotten first). */
export const MAX_GRANTS = 256;

const HANDLE = /^cap-([a-z0-9]{1,64}):([^/]*)(?:\/(.*))?$/s;

export interface CapabilityOptions {
  /** The app's own data folder: always reachable (settings, training runs, trained models). */
  appDataDir: string;
  /** Where grants are remembered (JSON); none: in memory only. */
  file?: string;
  /**
   * Treat an absolute path typed by the user as a pick (the `npm run web` dev server, where the
   * browser's folder prompt is the only "dialog"). Never set in the desktop app.
   */
  allowTypedPaths?: boolean;
}

export class CapabilityStore {
  private readonly grants = new Map<string, Grant>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly opts: CapabilityOptions) {
    if (opts.file) {
      try {
        const saved = JSON.parse(readFileSync(opts.file, 'utf8')) as { grants?: [string, Grant][] };
        for (const [token, g] of saved.grants ?? [])
          if (/^[a-z0-9]{1,64}$/.test(token) && typeof g?.path === 'string' && (g.kind === 'file' || g.kind === 'folder'))
            this.grants.set(token, { path: g.path, kind: g.kind });
      } catch {
        // No or unreadable grants file: start with none (the user picks again).
      }
    }
    this.grants.set(APP_DATA_TOKEN, { path: path.resolve(opts.appDataDir), kind: 'folder' });
  }

  /** A handle for a path the user picked (dialog or drop). The same path gets the same handle. */
  grant(absPath: string, kind: GrantKind): string {
    const p = path.resolve(absPath);
    for (const [token, g] of this.grants) if (g.path === p && g.kind === kind) return this.handle(token, g);
    const token = randomBytes(12).toString('hex');
    const g = { path: p, kind };
    this.grants.set(token, g);
    while (this.grants.size > MAX_GRANTS + 1) {
      const oldest = [...this.grants.keys()].find((t) => t !== APP_DATA_TOKEN)!;
      this.grants.delete(oldest);
    }
    this.persist();
    return this.handle(token, g);
  }

  /** The handle of the app data folder, or of an entry inside it. */
  appData(relative = ''): string {
    const root = this.handle(APP_DATA_TOKEN, this.grants.get(APP_DATA_TOKEN)!);
    return relative ? `${root}/${relative.split(path.sep).join('/')}` : root;
  }

  /** The handle naming `absPath` inside some grant, or null when it is outside every grant. */
  handleFor(absPath: string): string | null {
    const p = path.resolve(absPath);
    for (const [token, g] of this.grants) {
      if (g.path === p) return this.handle(token, g);
      if (g.kind === 'folder' && p.startsWith(g.path + path.sep))
        return `${this.handle(token, g)}/${path.relative(g.path, p).split(path.sep).join('/')}`;
    }
    return null;
  }

  /**
   * The real path a handle names, checked: the token is known, the relative part has no `..`,
   * and after following symlinks the target is still inside the picked folder.
   * @throws InvalidArgumentError naming the handle and the problem
   */
  async resolve(ref: string, want: Want, field = 'path'): Promise<string> {
    const bad = (problem: string): never => {
      throw new InvalidArgumentError(`${ref}: ${problem}`, { field, value: ref });
    };
    const m = HANDLE.exec(ref);
    if (!m) {
      if (this.opts.allowTypedPaths && path.isAbsolute(ref)) {
        const st = await fs.stat(ref).catch(() => null);
        const kind: GrantKind = want === 'folder' || (want === 'new-file' && st?.isDirectory()) ? 'folder' : 'file';
        if (want === 'new-file') {
          this.grant(path.dirname(ref), 'folder');
        } else this.grant(ref, kind);
        return this.resolve(this.handleFor(ref)!, want, field);
      }
      return bad('not a file or folder you picked (choose it with Open/Browse, or drop it on the window)');
    }
    const [, token, , rel] = m;
    const g = this.grants.get(token!);
    if (!g) return bad('unknown or forgotten choice (pick the file or folder again)');
    const parts = rel === undefined || rel === '' ? [] : rel.split('/');
    for (const s of parts) if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) bad('not a valid entry name');
    if (g.kind === 'file' && parts.length > 0) bad('a picked file has no entries');
    const full = path.join(g.path, ...parts);
    const root = await fs.realpath(g.path).catch(() => bad('the picked file or folder no longer exists'));
    const inside = (real: string) => real === root || real.startsWith(root + path.sep);
    if (want === 'new-file') {
      if (parts.length === 0) bad('expected a file inside a picked folder');
      // The folder may not exist yet (created at write time): check the nearest existing parent.
      let dir = path.dirname(full);
      let real: string | null = null;
      while (real === null) {
        real = await fs.realpath(dir).catch(() => null);
        if (real === null) {
          if (path.dirname(dir) === dir || !dir.startsWith(g.path)) bad('outside the folder you picked');
          dir = path.dirname(dir);
        }
      }
      if (!inside(real)) bad('outside the folder you picked');
      const st = await fs.lstat(full).catch(() => null);
      if (st?.isDirectory()) bad('is a folder, expected a file name');
      if (st?.isSymbolicLink()) {
        const target = await fs.realpath(full).catch(() => null);
        if (target === null || !inside(target)) bad('outside the folder you picked');
      }
      return full;
    }
    const real = await fs.realpath(full).catch(() => bad('not found'));
    if (!inside(real)) bad('outside the folder you picked');
    const st = await fs.stat(real);
    if (want === 'folder' && !st.isDirectory()) bad('not a folder');
    if (want === 'file' && !st.isFile()) bad('not a regular file');
    return real;
  }

  private handle(token: string, g: Grant): string {
    return `cap-${token}:${path.basename(g.path).replace(/[/\\]/g, '')}`;
  }

  private persist(): void {
    const file = this.opts.file;
    if (!file) return;
    const grants = [...this.grants].filter(([t]) => t !== APP_DATA_TOKEN);
    this.saving = this.saving.then(() => writeFileAtomic(file, JSON.stringify({ version: 1, grants })).catch(() => undefined));
  }

  /** Resolves when remembered grants are on disk. */
  flush(): Promise<void> {
    return this.saving;
  }
}
