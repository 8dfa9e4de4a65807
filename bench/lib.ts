// What every benchmark needs: its own peak memory, a measurement run in a child process (so that
// its peak RSS and CPU time are its own), the machine's load, and its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** Peak resident memory of this process since the last `resetPeak`, in MB (Linux VmHWM). */
export function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

/** Starts the peak-memory count again from the current RSS (Linux). */
export function resetPeak(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

/** The 1-minute load average, one decimal. */
export const loadNow = (): string => loadavg()[0]!.toFixed(1);

/**
 * Runs `script --child ...args` under tsx (or, with `plain`, `script ...args` in plain Node: a
 * compiled entry point, as users run it) and returns the JSON object on the last line of its
 * output; a failed or silent child is an error carrying the end of its stderr.
 */
export function runChild<T = Record<string, unknown>>(script: string, args: string[], options: { timeoutMs: number; maxBufferMb?: number; plain?: boolean }): T {
  const argv = options.plain ? [script, ...args] : ['--import', 'tsx', script, '--child', ...args];
  const run = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: (options.maxBufferMb ?? 64) * 1024 * 1024 });
  const last = run.stdout?.trim().split('\n').pop();
  if (run.status !== 0 || !last?.startsWith('{')) throw new Error(`${args[0]} failed (${run.status ?? run.signal}): ${(run.stderr ?? '').slice(-2000)}`);
  return JSON.parse(last) as T;
}

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in bench/RESULTS.md, or
 * appends it under `heading`; other sections are kept byte for byte.
 */
export function writeSection(name: string, body: string, heading?: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\nEach section is written by its benchmark; the others are kept as they are.\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  writeFileSync(RESULTS, from >= 0 && to > from
    ? text.slice(0, from) + block + text.slice(to + end.length)
    : `${text.trimEnd()}\n\n${heading ? `${heading}\n\n` : ''}${block}\n`);
}
