// Decrypted working copies (logs for a scan, an extract for the reader, a letters PDF) live only in a
// private folder under dataDir/tmp: same disk and permissions as the data, removed whatever happens,
// and the whole of tmp/ is emptied at start-up in case a process died in the middle of a job.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from './services.ts';

const scratchRoot = (services: Services) => path.join(services.config.dataDir, 'tmp');

export async function withScratchDir<T>(services: Services, prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const root = scratchRoot(services);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(root, `${prefix}-`));
  await chmod(dir, 0o700);
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Run at start-up before this instance takes any job (the single-supervisor assumption of failInterruptedJobs). */
export async function clearScratch(services: Services): Promise<void> {
  await rm(scratchRoot(services), { recursive: true, force: true });
}
