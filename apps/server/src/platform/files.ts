// Where uploaded files live. The seam is the FileStore interface (a regional deployment puts an S3
// implementation behind it); the local store keeps each file encrypted under the data folder.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Keys } from './keys.ts';

export interface FileStore {
  put(key: string, data: Buffer, associatedData: string): Promise<void>;
  get(key: string, associatedData: string): Promise<Buffer>;
  remove(key: string): Promise<void>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9/_-]{0,200}$/;

export function localFileStore(root: string, keys: Keys): FileStore {
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`invalid storage key: ${key}`);
    return path.join(root, `${key}.enc`);
  };
  return {
    async put(key, data, associatedData) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Base64 through the string cipher keeps one encryption code path for columns and files.
      await writeFile(file, keys.encrypt(data.toString('base64'), `file:${associatedData}`), { mode: 0o600, flag: 'wx' });
    },
    async get(key, associatedData) {
      const sealed = await readFile(resolve(key), 'utf8');
      return Buffer.from(keys.decrypt(sealed, `file:${associatedData}`), 'base64');
    },
    async remove(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
