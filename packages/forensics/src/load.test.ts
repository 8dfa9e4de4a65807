import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEvents } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'forensics-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// First seen in an order that is not the alphabetical one, with several combinations per account.
const NAMES = ['z.martin', 'a.petit', 'm.durand', 'b.roux', 'k.blanc', 'c.leroy', 'f.garcia'];

function ndjson(name: string, count: number): string {
  const path = join(dir, name);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(), user: { name: NAMES[i % NAMES.length] }, source: { ip: `10.0.${i % 3}.1` }, event: { action: 'view', outcome: 'success' }, app: { module: 'main_courante' }, records: 1 }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function withDb<T>(run: (con: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  try {
    return await run(con);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe('Node-side work while DuckDB reads', () => {
  it('runs once, during the first DuckDB read, whatever the number of files', async () => {
    const files = [ndjson('a.ndjson', 500), ndjson('b.ndjson', 300)];
    const seen: string[] = [];
    const stats = await withDb((con) => loadEvents(con, files, {
      mapping: null,
      onFileProgress: (file, _i, fraction) => { if (fraction === 1) seen.push(`done ${file}`); },
      whileReading: () => seen.push('work'),
    }));
    expect(stats.accepted).toBe(800);
    expect(seen).toEqual(['work', 'done a.ndjson', 'done b.ndjson']);
  });

  it('stores the events account by account, and leaves the instance settings as they were', async () => {
    const files = [ndjson('e.ndjson', 3000)];
    const [order, setting] = await withDb(async (con) => {
      await loadEvents(con, files, { mapping: null });
      const rows = (await con.runAndReadAll(`SELECT count(*) FILTER (WHERE pu > u OR pk > kid)::DOUBLE AS backwards FROM (
          SELECT k.u, e.kid, lag(k.u) OVER (ORDER BY e.rowid) AS pu, lag(e.kid) OVER (ORDER BY e.rowid) AS pk FROM evt e JOIN k ON k.kid = e.kid)`)).getRowObjectsJS();
      const kept = (await con.runAndReadAll(`SELECT current_setting('preserve_insertion_order') AS v`)).getRowObjectsJS();
      return [rows[0]?.backwards, kept[0]?.v];
    });
    expect(order).toBe(0);
    expect(setting).toBe(true);
  });

  it('still runs once when no file goes through DuckDB (Node reader)', async () => {
    const files = [ndjson('c.ndjson', 50)];
    let calls = 0;
    const stats = await withDb((con) => loadEvents(con, files, { mapping: null, forceNode: true, whileReading: () => calls++ }));
    expect(stats.accepted).toBe(50);
    expect(calls).toBe(1);
  });

  it('stops the read when the work aborts it, instead of falling back to the Node reader', async () => {
    const files = [ndjson('d.ndjson', 20_000)];
    const stop = new AbortController();
    const stopped = withDb((con) => loadEvents(con, files, { mapping: null, signal: stop.signal, whileReading: () => stop.abort(new Error('règle invalide')) }));
    await expect(stopped).rejects.toThrow();
  });
});
