// What every module receives: no module reads globals or process.env.
import type { Database, Db } from '@rempart/db';
import type { Config } from '../config.ts';
import type { Keys } from './keys.ts';
import type { Mailer } from './mailer.ts';
import type { FileStore } from './files.ts';

export interface Services {
  database: Database;
  db: Db;
  keys: Keys;
  config: Config;
  mailer: Mailer | null;
  files: FileStore;
  now(): Date;
}
