import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Database } from '@rempart/db';
import { cancelJob, enqueueJob, failInterruptedJobs, getJob, INTERRUPTED, startWorker } from './queue.ts';

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`job queue on ${backend.name}`, () => {
    let database: Database & { dispose(): Promise<void> };
    let orgId: string;
    beforeAll(async () => {
      database = await backend.open();
      orgId = (await database.db.insertInto('organisations').values({ name: 'C', kind: 'commune' } as never).returning('id').executeTakeFirstOrThrow()).id;
    });
    afterAll(async () => database?.dispose());

    it('runs each job once, in order, with progress and result, and records failures', async () => {
      const seen: string[] = [];
      const a = await enqueueJob(database.db, { organisationId: orgId, kind: 'echo', payload: { n: 1 } });
      const b = await enqueueJob(database.db, { organisationId: orgId, kind: 'echo', payload: { n: 2 } });
      const c = await enqueueJob(database.db, { organisationId: orgId, kind: 'boom', payload: {} });
      const handlers = {
        echo: async (ctx: { payload: Record<string, unknown>; progress(v: Record<string, unknown>): Promise<void> }) => {
          seen.push(String(ctx.payload.n));
          await ctx.progress({ done: 1, total: 1 });
          return { doubled: Number(ctx.payload.n) * 2 };
        },
        boom: async () => {
          throw new Error('fichier illisible ligne 3');
        },
      };
      // Two workers compete: SKIP LOCKED hands each job to exactly one of them.
      const w1 = startWorker(database.db, handlers, { autoStart: false });
      const w2 = startWorker(database.db, handlers, { autoStart: false });
      const counts = await Promise.all([w1.drain(), w2.drain()]);
      expect(counts[0] + counts[1]).toBe(3);
      expect(seen.sort()).toEqual(['1', '2']);
      expect(await getJob(database.db, orgId, a)).toMatchObject({ status: 'done', result: { doubled: 2 }, progress: { done: 1, total: 1 } });
      expect((await getJob(database.db, orgId, b))?.status).toBe('done');
      expect(await getJob(database.db, orgId, c)).toMatchObject({ status: 'failed', error: 'fichier illisible ligne 3' });
    });

    it('stops a running job that is cancelled, at its next progress report', async () => {
      const id = await enqueueJob(database.db, { organisationId: orgId, kind: 'long', payload: {} });
      let steps = 0;
      const worker = startWorker(database.db, {
        long: async (ctx) => {
          for (let i = 0; i < 100; i += 1) {
            if (i === 3) await cancelJob(database.db, orgId, id);
            await ctx.progress({ step: i });
            ctx.signal.throwIfAborted();
            steps += 1;
          }
          return {};
        },
      }, { autoStart: false });
      await worker.drain();
      expect(steps).toBe(3);
      expect((await getJob(database.db, orgId, id))?.status).toBe('cancelled');
      expect(await getJob(database.db, '00000000-0000-4000-8000-000000000000', id)).toBeNull();
    });

    it('interrupts the running job when the worker stops, and records it as failed with the reason', async () => {
      const id = await enqueueJob(database.db, { organisationId: orgId, kind: 'slow', payload: {} });
      let started!: () => void;
      const hasStarted = new Promise<void>((resolve) => (started = resolve));
      const worker = startWorker(database.db, {
        slow: (ctx) => new Promise((_, reject) => {
          started();
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
      }, { autoStart: true, pollMs: 10 });
      await hasStarted;
      await worker.stop();
      expect(await getJob(database.db, orgId, id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
    });

    it('marks jobs left running by a dead process as failed', async () => {
      const id = await enqueueJob(database.db, { organisationId: orgId, kind: 'orphan', payload: {} });
      await database.db.updateTable('jobs').set({ status: 'running', started_at: new Date() }).where('id', '=', id).execute();
      expect(await failInterruptedJobs(database.db)).toBe(1);
      expect(await getJob(database.db, orgId, id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
    });

    it('keeps a job cancelled when it notices the cancel itself, without a progress report', async () => {
      const id = await enqueueJob(database.db, { organisationId: orgId, kind: 'late', payload: {} });
      const worker = startWorker(database.db, {
        late: async (ctx) => {
          await cancelJob(database.db, orgId, ctx.id);
          const status = await database.db.selectFrom('jobs').select('status').where('id', '=', ctx.id).executeTakeFirstOrThrow();
          if (status.status === 'cancelled') throw new Error('annulé');
          return {};
        },
      }, { autoStart: false });
      await worker.drain();
      expect(await getJob(database.db, orgId, id)).toMatchObject({ status: 'cancelled', error: 'annulé' });
    });
  });
}
