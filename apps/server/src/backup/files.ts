// The file side of backup and restore: which files are saved, which names an archive may carry, and
// a staging folder beside the files root so a restore moves files into place only once the database
// transaction has committed (a failure leaves nothing behind).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface FileListing {
  /** Regular files, as relative POSIX paths, sorted. */
  files: string[];
  /** Anything else met (symbolic links, sockets…): never followed, never saved. */
  skipped: string[];
}

/** Walks the files root without following symbolic links: a link could point anywhere on the host. */
export async function listFiles(root: string): Promise<FileListing> {
  const listing: FileListing = { files: [], skipped: [] };
  async function walk(dir: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw error;
    }
    for (const entry of entries) {
      const relative = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative);
      else if (entry.isFile()) listing.files.push(relative);
      else listing.skipped.push(relative);
    }
  }
  await walk(root, '');
  listing.files.sort();
  listing.skipped.sort();
  return listing;
}

/**
 * Checks a name read from an archive and returns its segments. Refused: empty, absolute (POSIX or
 * drive letter), backslashes, NUL, and any "", "." or ".." segment — so a name can only ever
 * designate a file strictly inside the staging folder.
 */
export function safeSegments(name: string): string[] {
  const refuse = (why: string) => new Error(`Chemin de fichier refusé dans la sauvegarde : « ${name} » (${why}).`);
  if (name.length === 0) throw refuse('vide');
  if (name.includes('\0')) throw refuse('caractère nul');
  if (name.includes('\\')) throw refuse('barre oblique inverse');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse('chemin absolu');
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw refuse('segment vide, « . » ou « .. »');
  return segments;
}

/** Refuses a files root holding anything but empty folders (a file, a link): restore never merges. */
export async function assertEmptyFilesRoot(root: string): Promise<void> {
  const listing = await listFiles(root);
  const found = [...listing.files, ...listing.skipped];
  if (found.length) {
    throw new Error(`Le dossier des fichiers n'est pas vide (${root} : ${found.slice(0, 3).join(', ')}${found.length > 3 ? '…' : ''}) : la restauration se fait dans une installation vide.`);
  }
}

export class Staging {
  readonly dir: string;
  private readonly written = new Set<string>();

  private constructor(private readonly root: string) {
    // Beside the root, on the same file system, so moving into place is a rename.
    this.dir = path.join(path.dirname(root), `.${path.basename(root)}.restauration-${randomBytes(6).toString('hex')}`);
  }

  static async create(root: string): Promise<Staging> {
    const staging = new Staging(path.resolve(root));
    await mkdir(path.dirname(staging.dir), { recursive: true });
    await mkdir(staging.dir, { recursive: false, mode: 0o700 });
    return staging;
  }

  async write(name: string, body: AsyncIterable<Buffer>): Promise<void> {
    const segments = safeSegments(name);
    if (this.written.has(name)) throw new Error(`Fichier en double dans la sauvegarde : ${name}`);
    this.written.add(name);
    const target = path.join(this.dir, ...segments);
    if (!target.startsWith(this.dir + path.sep)) throw new Error(`Chemin de fichier refusé dans la sauvegarde : « ${name} ».`);
    await mkdir(path.dirname(target), { recursive: true });
    // 'wx': never open something that already exists (and so never write through a link).
    await pipeline(body, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
  }

  /** Moves every staged file under the root (which holds at most empty folders), then removes the staging folder. */
  async commit(): Promise<void> {
    await mergeInto(this.dir, this.root);
    await rm(this.dir, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function mergeInto(from: string, to: string): Promise<void> {
  const existing = await lstat(to).catch(() => null);
  if (!existing) {
    await mkdir(path.dirname(to), { recursive: true });
    await rename(from, to);
    return;
  }
  if (!existing.isDirectory()) throw new Error(`Impossible de mettre en place ${to} : un élément du même nom existe déjà.`);
  for (const entry of await readdir(from)) await mergeInto(path.join(from, entry), path.join(to, entry));
  await rmdir(from).catch(() => undefined);
}
