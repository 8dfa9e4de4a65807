// Long work (log scans, scoping, sending) runs as jobs in the database: any instance claims the next
// one with FOR UPDATE SKIP LOCKED, reports progress, and a cancelled job stops at its next check.
import { sql } from 'kysely';
import { json, type Db } from '@rempart/db';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobContext {
  id: string;
  organisationId: string | null;
  payload: Record<string, unknown>;
  signal: AbortSignal;
  progress(value: Record<string, unknown>): Promise<void>;
}

export type JobHandler = (ctx: JobContext) => Promise<Record<string, unknown>>;

export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function jobView(row: Record<string, any>): JobView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id, kind: row.kind, status: row.status, progress: row.progress ?? {}, result: row.result ?? null, error: row.error ?? null,
    createdAt: iso(row.created_at)!, startedAt: iso(row.started_at), finishedAt: iso(row.finished_at),
  };
}

export async function enqueueJob(db: Db, input: { organisationId: string | null; kind: string; payload: Record<string, unknown> }): Promise<string> {
  const row = await db.insertInto('jobs').values({ organisation_id: input.organisationId, kind: input.kind, payload: json(input.payload) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function getJob(db: Db, organisationId: string, id: string): Promise<JobView | null> {
  const row = await db.selectFrom('jobs').selectAll().where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  return row ? jobView(row) : null;
}

export async function cancelJob(db: Db, organisationId: string, id: string): Promise<boolean> {
  const r = await db.updateTable('jobs').set({ status: 'cancelled', finished_at: new Date() })
    .where('organisation_id', '=', organisationId).where('id', '=', id).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Claims one queued job of the given kinds, or null. */
async function claim(db: Db, kinds: string[]) {
  return db.transaction().execute(async (trx) => {
    const next = await sql<{ id: string }>`
      SELECT id FROM jobs WHERE status = 'queued' AND kind IN (${sql.join(kinds)})
      ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`.execute(trx);
    const id = next.rows[0]?.id;
    if (!id) return null;
    return trx.updateTable('jobs').set({ status: 'running', started_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
}

export interface Worker {
  /** Runs queued jobs until none is left (tests and the CLI use it directly). */
  drain(): Promise<number>;
  /** Stops polling and interrupts the running job, which is recorded as failed so the user can start it again. */
  stop(): Promise<void>;
}

export const INTERRUPTED = "interrompu : le serveur s'est arrêté pendant le traitement ; relancez-le.";

/** A job left running by a process that died cannot finish: say so instead of showing it running forever. */
export async function failInterruptedJobs(db: Db): Promise<number> {
  const r = await db.updateTable('jobs').set({ status: 'failed', error: INTERRUPTED, finished_at: new Date() }).where('status', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export function startWorker(db: Db, handlers: Record<string, JobHandler>, options: { pollMs?: number; autoStart?: boolean } = {}): Worker {
  const kinds = Object.keys(handlers);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let current: AbortController | null = null;

  async function runOne(): Promise<boolean> {
    if (kinds.length === 0) return false;
    const row = await claim(db, kinds);
    if (!row) return false;
    const controller = new AbortController();
    current = controller;
    // A cancel is a status change in the database; the running job sees it at its next progress call.
    const progress = async (value: Record<string, unknown>) => {
      const current = await db.updateTable('jobs').set({ progress: json(value) }).where('id', '=', row.id).returning('status').executeTakeFirst();
      if (current?.status === 'cancelled') controller.abort(new Error('cancelled'));
    };
    try {
      const result = await handlers[row.kind]!({ id: row.id, organisationId: row.organisation_id, payload: row.payload, signal: controller.signal, progress });
      await db.updateTable('jobs').set({ status: 'done', result: json(result), finished_at: new Date() }).where('id', '=', row.id).where('status', '=', 'running').execute();
    } catch (error) {
      const shutdown = controller.signal.aborted && controller.signal.reason === INTERRUPTED;
      const status = shutdown ? 'failed' : controller.signal.aborted ? 'cancelled' : 'failed';
      const message = shutdown ? INTERRUPTED : controller.signal.aborted ? 'annulé' : (error as Error).message;
      await db.updateTable('jobs').set({ status, error: message.slice(0, 2000), finished_at: new Date() })
        .where('id', '=', row.id).where('status', 'in', shutdown || controller.signal.aborted ? ['running', 'cancelled'] : ['running']).execute();
      // A job cancelled while it ran (and that refused to finish because of it) stays cancelled.
      await db.updateTable('jobs').set({ error: 'annulé' }).where('id', '=', row.id).where('status', '=', 'cancelled').where('error', 'is', null).execute();
    } finally {
      current = null;
    }
    return true;
  }

  async function drain(): Promise<number> {
    let count = 0;
    while (!stopped && (await runOne())) count += 1;
    return count;
  }

  let timer: NodeJS.Timeout | undefined;
  if (options.autoStart !== false && kinds.length > 0) {
    const tick = () => {
      if (stopped) return;
      running = drain().catch(() => 0).finally(() => {
        if (!stopped) timer = setTimeout(tick, options.pollMs ?? 1000);
      });
    };
    timer = setTimeout(tick, options.pollMs ?? 1000);
  }
  return {
    drain,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      current?.abort(INTERRUPTED);
      await running;
    },
  };
}
