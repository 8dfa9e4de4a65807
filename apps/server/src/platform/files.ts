// Where uploaded files live. The seam is the FileStore interface (a regional deployment puts an S3
// implementation behind it); callers encrypt before storing (sealBuffer, SealStream), so the store
// only ever holds ciphertext.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FileStore {
  put(key: string, sealed: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Writes a stream of sealed bytes; a failed write leaves no file behind. */
  putStream(key: string, sealed: Readable): Promise<void>;
  getStream(key: string): Readable;
  remove(key: string): Promise<void>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9/_-]{0,200}$/;

export function localFileStore(root: string): FileStore {
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`invalid storage key: ${key}`);
    return path.join(root, `${key}.enc`);
  };
  return {
    async put(key, sealed) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, sealed, { mode: 0o600, flag: 'wx' });
    },
    async get(key) {
      return readFile(resolve(key));
    },
    async putStream(key, sealed) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      try {
        await pipeline(sealed, createWriteStream(file, { mode: 0o600, flags: 'wx' }));
      } catch (error) {
        // 'wx' failing means another piece owns the name: that file is not ours to remove.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(file, { force: true });
        throw error;
      }
    },
    getStream(key) {
      return createReadStream(resolve(key));
    },
    async remove(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
