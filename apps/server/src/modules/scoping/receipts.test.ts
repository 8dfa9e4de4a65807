import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testBackends } from '@rempart/db';
import { generateSynthetic, syntheticCsv, SYNTHETIC_MAPPING } from '@rempart/scoping';
import { createWorld, signIn, type TestUser, type TestWorld } from '../../testing.ts';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.ts';
import { sql } from 'kysely';
import { giveLeaseBack, listenerStatus, numberHash, recordPartReceipt, smppAccount, startReceiptListener, takeLease, type ReceiptListener } from './receipts.ts';
import { parseSmppUrl } from '@rempart/scoping';

// Waits for what the SMSC and the listener do over the network (a bound on waiting, not a speed test).
const until = (check: () => unknown) => vi.waitFor(check, { timeout: 20_000, interval: 50 });

const smpp = createRequire(import.meta.url)('smpp');

// A real SMPP server (node-smpp's own) standing for an operator whose receipts come late: it keeps
// them until the test releases them, then sends them on whichever receiving bind is open then.
// It can refuse transceiver binds (some operators only give receipts to a receiver) and reuse its
// message identifiers (restart the numbering), as SMSCs do over time.
async function startLateSmsc() {
  const held: { id: string; to: string }[] = [];
  const binds: string[] = [];
  let next = 0;
  let refuseTransceiver = false;
  const receiving = new Set<any>();
  let mostReceiving = 0;
  const server = smpp.createServer((session: any) => {
    const bind = (kind: string) => (pdu: any) => {
      const ok = pdu.system_id === 'mairie' && pdu.password === 's3cret' && !(kind === 'transceiver' && refuseTransceiver);
      binds.push(ok ? kind : `${kind} refused`);
      session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
      if (ok && kind !== 'transmitter') { receiving.add(session); mostReceiving = Math.max(mostReceiving, receiving.size); }
    };
    for (const kind of ['transmitter', 'transceiver', 'receiver']) session.on(`bind_${kind}`, bind(kind));
    session.on('submit_sm', (pdu: any) => {
      const id = `L${++next}`;
      session.send(pdu.response({ message_id: id }));
      if (pdu.registered_delivery & 1) held.push({ id, to: pdu.destination_addr });
    });
    session.on('enquire_link', (pdu: any) => session.send(pdu.response()));
    session.on('unbind', (pdu: any) => { receiving.delete(session); session.send(pdu.response()); session.close(); });
    session.on('close', () => receiving.delete(session));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const answered: string[] = [];
  const receipt = (id: string, from: string, stat = 'DELIVRD') => new Promise<void>((resolve, reject) => {
    const session = [...receiving].at(-1);
    if (!session) { reject(new Error('no receiving bind')); return; }
    const written = session.deliver_sm({ source_addr: from, destination_addr: 'MAIRIE', esm_class: 4, short_message: `id:${id} sub:001 dlvrd:001 submit date:2611280900 done date:2611281400 stat:${stat} err:000 text:` },
      (resp: any) => { answered.push(id); if (resp.command_status === 0) resolve(); else reject(new Error(`deliver_sm_resp ${resp.command_status}`)); });
    if (!written) reject(new Error('receiving bind closed'));
  });
  return {
    url: `smpp://mairie:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}`,
    held, binds, answered, receiving,
    /** The most receiving binds (transceiver or receiver) open at once since the last reset. */
    mostReceiving: () => mostReceiving,
    resetMostReceiving() { mostReceiving = receiving.size; },
    refuseTransceiver(v: boolean) { refuseTransceiver = v; },
    restartNumbering() { next = 0; },
    receipt,
    /** Sends the held receipts (all, or those `pick` selects), the first `undelivered` as UNDELIV. */
    async release(pick: (h: { id: string; to: string }) => boolean = () => true, undelivered = new Set<string>()) {
      const out = held.filter(pick);
      for (const h of out) { held.splice(held.indexOf(h), 1); await receipt(h.id, h.to, undelivered.has(h.id) ? 'UNDELIV' : 'DELIVRD'); }
      return out;
    },
    close: () => new Promise<void>((r) => { for (const s of receiving) s.destroy(); server.close(() => r()); }),
  };
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`late SMS delivery receipts on ${backend.name}`, () => {
    let world: TestWorld;
    let smsc: Awaited<ReturnType<typeof startLateSmsc>>;
    let listener: ReceiptListener | null = null;
    // The server in use: a restart replaces it by another over the same database.
    let app: FastifyInstance;
    let restarted: FastifyInstance | null = null;
    const smsRows = (organisationId: string) => world.services.db.selectFrom('scoping_deliveries').selectAll()
      .where('organisation_id', '=', organisationId).where('channel', '=', 'sms').where('status', '=', 'sent').execute();

    /** An incident, a scoped extract, its dry run and its real SMS campaign, for one organisation. */
    async function smsCampaign(user: TestUser, orgId: string, seed: number) {
      const client = await signIn(world, user);
      const incident = await client.request('POST', `/api/v1/organisations/${orgId}/incidents`, { type: 'exfiltration', title: 'Vol du fichier', awareAt: new Date().toISOString(), personalData: { involved: true, categories: ['identité'] } });
      const base = `/api/v1/organisations/${orgId}/incidents/${incident.json().id}`;
      const boundary = '----rempart-receipts';
      const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="extrait.csv"\r\n\r\n`), Buffer.from(syntheticCsv(generateSynthetic(150, seed))), Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const ds = await app.inject({ method: 'POST', url: `${base}/datasets`, payload: body, headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` } });
      expect(ds.statusCode, ds.body).toBe(201);
      expect((await client.request('PUT', `${base}/datasets/${ds.json().id}/mapping`, { mapping: SYNTHETIC_MAPPING })).statusCode).toBe(200);
      const run = (await client.request('POST', `${base}/datasets/${ds.json().id}/runs`, { notificationDate: '2026-11-28' })).json();
      await app.jobs.drain();
      for (const dryRun of [true, false]) {
        world.clock.now = new Date(world.clock.now.getTime() + 1000);
        const started = await client.request('POST', `${base}/scoping/runs/${run.id}/campaigns`, { dryRun, perMinute: 6000, channels: ['sms'] });
        expect(started.statusCode, started.body).toBe(202);
        await app.jobs.drain();
      }
      // Signed in again each time: the test clock may have moved past the session's life.
      const followUp = async () => (await (await signIn(world, user)).request('GET', `${base}/scoping/runs/${run.id}/campaigns`)).json();
      const campaign = (await followUp()).campaigns[0];
      expect(campaign.status, campaign.error).toBe('done');
      return { base, runId: run.id as string, followUp };
    }

    beforeAll(async () => {
      smsc = await startLateSmsc();
      // No grace period at the campaign's end: every receipt here arrives after it.
      world = await createWorld(backend, { smppUrl: smsc.url, smppReceiptWaitSeconds: 0 });
      app = world.app;
    });
    afterAll(async () => { await listener?.stop(); await restarted?.close(); await world?.close(); await smsc?.close(); });

    it('records receipts sent after the campaign ended, across a restart, and stops listening when none is awaited', async () => {
      const a = await smsCampaign(world.users.dpo, world.orgA, 11);
      const rows = await smsRows(world.orgA);
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.every((r) => r.receipt === null)).toBe(true);
      let follow = await a.followUp();
      expect(follow.channels.sms).toMatchObject({ sent: rows.length, delivered: 0, awaiting: rows.length, late: 0, noReceipt: 0 });
      expect(follow.awaitingReceipts.total).toBe(rows.length);
      expect(follow.awaitingReceipts.items.map((i: { personRef: string }) => i.personRef).sort()).toEqual(rows.map((r) => r.person_ref).sort());

      // The campaign's end woke the server's listener: it binds to receive what is still awaited.
      await until(() => expect(app.receipts!.state).toBe('listening'));
      expect(app.receipts!.kind).toBe('transceiver');
      const first = rows[0]!;
      const firstParts = first.message_id!.split(' ');
      const undelivered = new Set([firstParts[0]!]);
      const released = await smsc.release((h) => firstParts.includes(h.id) || rows[1]!.message_id!.split(' ').includes(h.id), undelivered);
      expect(released.length).toBe(firstParts.length + rows[1]!.message_id!.split(' ').length);
      await until(async () => expect((await smsRows(world.orgA)).filter((r) => r.receipt).length).toBe(2));
      const after = new Map((await smsRows(world.orgA)).map((r) => [r.id, r]));
      expect(after.get(first.id)).toMatchObject({ receipt: 'undelivered', detail: 'UNDELIV' });
      expect(after.get(rows[1]!.id)).toMatchObject({ receipt: 'delivered' });

      // A restart: this server stops listening (unbinding), another starts over the same database and binds again.
      await app.receipts!.stop();
      expect(smsc.receiving.size).toBe(0);
      restarted = await buildApp(world.services, { pollJobs: false });
      app = restarted;
      listener = app.receipts!;
      await until(() => expect(listener!.state).toBe('listening'));
      world.clock.now = new Date(world.clock.now.getTime() + 3 * 3_600_000); // hours later
      await smsc.release((h) => rows.slice(2).some((r) => r.message_id!.split(' ').includes(h.id)));
      await until(async () => expect((await smsRows(world.orgA)).every((r) => r.receipt !== null)).toBe(true));
      follow = await a.followUp();
      expect(follow.channels.sms).toMatchObject({ sent: rows.length, delivered: rows.length - 1, undelivered: 1, late: rows.length, awaiting: 0 });
      expect(follow.awaitingReceipts).toEqual({ total: 0, items: [] });
      // Nothing awaited any more: the listener unbinds at its next look.
      listener.poke();
      await until(() => expect(listener!.state).toBe('idle'));
      expect(smsc.receiving.size).toBe(0);
      expect(listener.handled).toMatchObject({ recorded: rows.slice(2).reduce((n, r) => n + r.message_id!.split(' ').length, 0), unknown: 0, ambiguous: 0 });
    });

    it('answers an unknown identifier and keeps listening; a receipt never lands on another organisation’s row', async () => {
      // Organisation B sends after A, and the SMSC has restarted its numbering: their identifiers collide.
      smsc.restartNumbering();
      smsc.resetMostReceiving();
      const a = await smsCampaign(world.users.dpo, world.orgA, 23);
      const rowsA = (await smsRows(world.orgA)).filter((r) => r.receipt === null);
      await until(() => expect(app.receipts!.state).toBe('listening'));
      smsc.restartNumbering();
      const b = await smsCampaign(world.outsider, world.orgB, 31);
      const rowsB = await smsRows(world.orgB);
      // The listener was bound for A's receipts when B's campaign began: it stepped aside, one receiving bind at a time.
      expect(smsc.binds.filter((b) => b === 'transceiver').length).toBeGreaterThan(2);
      expect(smsc.mostReceiving()).toBe(1);
      const shared = rowsA.flatMap((r) => r.message_id!.split(' ')).filter((id) => rowsB.some((r) => r.message_id!.split(' ').includes(id)));
      expect(shared.length).toBeGreaterThan(0);
      listener ??= app.receipts!;
      listener.poke();
      await until(() => expect(listener!.state).toBe('listening'));

      // Unknown to every organisation: answered (deliver_sm_resp), nothing recorded, still bound.
      const before = listener!.handled.unknown;
      await smsc.receipt('NOPE-1', '33600000001');
      await until(() => expect(listener!.handled.unknown).toBe(before + 1));
      expect(smsc.answered).toContain('NOPE-1');
      expect(listener!.state).toBe('listening');

      // Awaited by both organisations and sent from a number neither sent to: recorded nowhere.
      const awaitingShared = () => world.services.db.selectFrom('scoping_sms_parts').select('organisation_id').where('part_id', '=', shared[0]!).where('state', 'is', null).execute();
      expect(new Set((await awaitingShared()).map((p) => p.organisation_id))).toEqual(new Set([world.orgA, world.orgB]));
      await smsc.receipt(shared[0]!, '33699999999');
      await until(() => expect(listener!.handled.ambiguous).toBe(1));
      expect(await awaitingShared()).toHaveLength(2);

      // A's receipts carry A's numbers: each lands on A's row, none on B's with the same identifier.
      const partsA = new Set((await world.services.db.selectFrom('scoping_sms_parts').select(['part_id', 'number_hash']).where('organisation_id', '=', world.orgA).execute()).map((p) => `${p.part_id} ${p.number_hash}`));
      await smsc.release((h) => partsA.has(`${h.id} ${numberHash(world.services, h.to)}`));
      await until(async () => expect((await smsRows(world.orgA)).every((r) => r.receipt !== null)).toBe(true));
      expect((await smsRows(world.orgB)).every((r) => r.receipt === null)).toBe(true);
      expect((await b.followUp()).channels.sms).toMatchObject({ delivered: 0, awaiting: rowsB.length });
      expect((await a.followUp()).channels.sms).toMatchObject({ awaiting: 0 });

      // B's own receipts land on B's rows.
      await smsc.release();
      await until(async () => expect((await smsRows(world.orgB)).every((r) => r.receipt !== null)).toBe(true));
      const parts = await world.services.db.selectFrom('scoping_sms_parts').select(['organisation_id', 'delivery_id']).execute();
      const owners = new Map([...(await smsRows(world.orgA)), ...(await smsRows(world.orgB))].map((r) => [r.id, r.organisation_id]));
      expect(parts.every((p) => owners.get(p.delivery_id) === p.organisation_id)).toBe(true);
    });

    it('binds as a receiver when the operator refuses a transceiver, and reconnects after losing the bind', async () => {
      await listener?.stop();
      smsc.refuseTransceiver(true);
      // The campaign itself falls back to a transmitter: its receipts go to the listener's receiver.
      const c = await smsCampaign(world.users.dpo, world.orgA, 41);
      const awaited = (await smsRows(world.orgA)).filter((r) => r.receipt === null);
      expect(awaited.length).toBeGreaterThan(0);
      expect(smsc.binds).toContain('transmitter');
      listener = startReceiptListener(world.services, { checkMs: 60_000, backoff: { firstMs: 50, maxMs: 200 } })!;
      await until(() => expect(listener!.state).toBe('listening'));
      expect(listener.kind).toBe('receiver');
      expect(smsc.binds.slice(-2)).toEqual(['transceiver refused', 'receiver']);
      // The operator drops the connection: the listener binds again, as a receiver straight away.
      const bindsBefore = smsc.binds.length;
      for (const s of smsc.receiving) s.destroy();
      await until(() => expect(smsc.binds.length).toBe(bindsBefore + 1));
      expect(smsc.binds.at(-1)).toBe('receiver');
      await until(() => expect(smsc.receiving.size).toBe(1));
      await smsc.release();
      await until(async () => expect((await smsRows(world.orgA)).every((r) => r.receipt !== null)).toBe(true));
      expect((await c.followUp()).channels.sms.awaiting).toBe(0);
    });
    it('binds from one server instance only: a second listener stands by, takes over when the first stops or its lease lapses, and steps aside for a live holder', async () => {
      await listener?.stop();
      const c = await smsCampaign(world.users.dpo, world.orgA, 51);
      const awaited = (await smsRows(world.orgA)).filter((r) => r.receipt === null);
      expect(awaited.length).toBeGreaterThan(0);
      const options = { checkMs: 60_000, backoff: { firstMs: 50, maxMs: 200 } };
      const first = startReceiptListener(world.services, options)!;
      const second = startReceiptListener(world.services, options)!;
      try {
        await until(() => expect([first.state, second.state].sort()).toEqual(['listening', 'standby']));
        const [holder, other] = first.state === 'listening' ? [first, second] : [second, first];
        expect(smsc.receiving.size).toBe(1);
        let view = (await c.followUp()).listener;
        expect(view).toMatchObject({ account: 'mairie@127.0.0.1', state: 'listening', error: null, stoppedBecause: null });
        expect(JSON.stringify(view)).not.toContain('s3cret');
        expect(Number.isNaN(Date.parse(view.since))).toBe(false);
        // A second look changes nothing: the lease is held and renewed by the first.
        other.poke();
        await until(() => expect(other.state).toBe('standby'));
        expect(smsc.receiving.size).toBe(1);

        // The holder stops (a server shut down): it gives the lease back, the other binds at its next look.
        await holder.stop();
        expect(smsc.receiving.size).toBe(0);
        other.poke();
        await until(() => expect(other.state).toBe('listening'));
        await until(() => expect(smsc.receiving.size).toBe(1));

        // Another instance holds a live lease (this one's renewal failed meanwhile): this one unbinds.
        const lease = () => world.services.db.updateTable('smpp_listeners').where('account', '=', smppAccount(parseSmppUrl(smsc.url)));
        await lease().set({ holder: 'autre-instance', expires_at: new Date(Date.now() + 3_600_000) }).execute();
        other.poke();
        await until(() => expect(other.state).toBe('standby'));
        await until(() => expect(smsc.receiving.size).toBe(0));
        // That instance died without giving it back: once its lease has lapsed, this one takes over.
        await lease().set({ expires_at: new Date(Date.now() - 1000) }).execute();
        other.poke();
        await until(() => expect(other.state).toBe('listening'));
        await until(() => expect(smsc.receiving.size).toBe(1));
        expect((await c.followUp()).listener).toMatchObject({ state: 'listening' });

        await smsc.release();
        await until(async () => expect((await smsRows(world.orgA)).every((r) => r.receipt !== null)).toBe(true));
        other.poke();
        await until(() => expect(other.state).toBe('idle'));
        view = (await c.followUp()).listener;
        expect(view).toMatchObject({ state: 'stopped', stoppedBecause: 'nothing_awaited' });
        expect((await c.followUp()).channels.sms).toMatchObject({ awaiting: 0, late: awaited.length });
      } finally {
        await first.stop();
        await second.stop();
      }
    });

    it('a campaign on another server instance binds only once that instance’s listener has given the account back, which takes it again afterwards', async () => {
      smsc.refuseTransceiver(false);
      const first = await smsCampaign(world.users.dpo, world.orgA, 71);
      expect((await smsRows(world.orgA)).some((r) => r.receipt === null)).toBe(true);
      // Not this server's listener (whose campaign hooks make it step aside at once): another instance's, looking often.
      const other = startReceiptListener(world.services, { checkMs: 300, backoff: { firstMs: 50, maxMs: 200 } })!;
      try {
        await until(() => expect(other.state).toBe('listening'));
        smsc.resetMostReceiving();
        const binds = smsc.binds.length;
        await smsCampaign(world.users.dpo, world.orgA, 72);
        // The campaign's own transceiver bind came between the listener's two: never two at once.
        expect(smsc.binds.slice(binds).filter((b) => b !== 'transmitter')).toEqual(expect.arrayContaining(['transceiver']));
        expect(smsc.mostReceiving()).toBe(1);
        await until(() => expect(other.state).toBe('listening'));
        expect((await first.followUp()).listener).toMatchObject({ state: 'listening' });
        await smsc.release();
        await until(async () => expect((await smsRows(world.orgA)).every((r) => r.receipt !== null)).toBe(true));
      } finally {
        await other.stop();
      }
    });

    it('shows SMS sent before receipts were followed as untracked, counts as late only what the listener recorded, and says when the window is over', async () => {
      const c = await smsCampaign(world.outsider, world.orgB, 61);
      const rows = (await smsRows(world.orgB)).filter((r) => r.receipt === null);
      expect(rows.length).toBeGreaterThan(3);
      // Sent before migration 009: a message identifier, no part row, so no listener awaits its receipt.
      const old = rows.slice(0, 2);
      await world.services.db.deleteFrom('scoping_sms_parts').where('delivery_id', 'in', old.map((r) => r.id)).execute();
      let follow = await c.followUp();
      expect(follow.channels.sms).toMatchObject({ untracked: 2, awaiting: rows.length - 2, noReceipt: 0 });
      expect(follow.awaitingReceipts.total).toBe(rows.length - 2);
      expect(follow.awaitingReceipts.items.map((i: { personRef: string }) => i.personRef)).not.toContain(old[0]!.person_ref);

      // Hours after the campaign ended, one receipt comes on a later campaign's session, one on the listener's.
      world.clock.now = new Date(world.clock.now.getTime() + 3_600_000);
      const account = smppAccount(parseSmppUrl(smsc.url));
      const partsOf = async (deliveryId: string) => world.services.db.selectFrom('scoping_sms_parts').select(['part_id']).where('delivery_id', '=', deliveryId).execute();
      const number = (partId: string) => smsc.held.find((h) => h.id === partId)!.to;
      for (const [row, via] of [[rows[2]!, 'campaign'], [rows[3]!, 'listener']] as const) {
        for (const p of await partsOf(row.id)) expect(await recordPartReceipt(world.services, account, { partId: p.part_id, from: number(p.part_id), state: 'DELIVRD' }, via)).toMatchObject({ kind: 'recorded' });
      }
      follow = await c.followUp();
      expect(follow.channels.sms).toMatchObject({ delivered: 2, late: 1, untracked: 2, awaiting: rows.length - 4 });

      // Past the listening window, nothing is awaited any more: the listener stopped on its time limit.
      world.clock.now = new Date(world.clock.now.getTime() + 73 * 3_600_000);
      follow = await c.followUp();
      expect(follow.channels.sms).toMatchObject({ awaiting: 0, noReceipt: rows.length - 4, untracked: 2 });
      expect(follow.listener).toMatchObject({ state: 'stopped', stoppedBecause: 'time_limit', windowHours: 72 });
      smsc.held.splice(0);
    });

    /** The database's clock, which every server instance shares. */
    const dbNow = async () => new Date((await sql<{ now: Date | string }>`SELECT now() AS now`.execute(world.services.db)).rows[0]!.now).getTime();
    const leaseRow = (account: string) => world.services.db.selectFrom('smpp_listeners').selectAll().where('account', '=', account).executeTakeFirstOrThrow();

    it('dates the lease row on the database clock like its expiry, whatever the server clock says', async () => {
      const saved = world.clock.now;
      world.clock.now = new Date('2001-01-01T00:00:00Z');
      const account = 'horloge@127.0.0.1:1';
      const since = async () => new Date((await leaseRow(account)).since).getTime();
      try {
        let before = await dbNow();
        expect(await takeLease(world.services, account, 'instance-1', 60_000, 'listener')).toBe(true);
        let after = await dbNow();
        const taken = await since();
        expect([before <= taken, taken <= after]).toEqual([true, true]);
        expect(new Date((await leaseRow(account)).expires_at).getTime()).toBeGreaterThan(taken);
        // A renewal by the same holder keeps it; another holder taking the account moves it.
        expect(await takeLease(world.services, account, 'instance-1', 60_000, 'listener')).toBe(true);
        expect(await since()).toBe(taken);
        await giveLeaseBack(world.services, account, 'instance-1');
        before = await dbNow();
        expect(await takeLease(world.services, account, 'campaign:autre', 60_000, 'campaign')).toBe(true);
        after = await dbNow();
        const moved = await since();
        expect([before <= moved, moved <= after]).toEqual([true, true]);
        before = await dbNow();
        await giveLeaseBack(world.services, account, 'campaign:autre');
        after = await dbNow();
        const stopped = await since();
        expect([before <= stopped, stopped <= after]).toEqual([true, true]);
        expect(await listenerStatus(world.services, account, world.orgA)).toEqual({ state: 'stopped', since: new Date(stopped).toISOString(), error: null });
      } finally {
        world.clock.now = saved;
        await world.services.db.deleteFrom('smpp_listeners').where('account', '=', account).execute();
      }
    });

    it('shows an organisation the listener for its own receipts and campaigns only, never what it does for another', async () => {
      // Only this test's listener binds.
      await app.receipts?.stop();
      await listener?.stop();
      smsc.refuseTransceiver(false);
      // Past every earlier SMS's window, and the server clock far ahead of the database's.
      world.clock.now = new Date(world.clock.now.getTime() + 100 * 3_600_000);
      const a = await smsCampaign(world.users.dpo, world.orgA, 81);
      const b = await smsCampaign(world.outsider, world.orgB, 82);
      const runRows = async (org: string, runId: string) => (await smsRows(org)).filter((r) => r.run_id === runId);
      const account = smppAccount(parseSmppUrl(smsc.url));
      const own = startReceiptListener(world.services, { checkMs: 60_000, backoff: { firstMs: 50, maxMs: 200 } })!;
      try {
        await until(() => expect(own.state).toBe('listening'));
        // What it publishes is dated by the database, not by this server's clock (100 hours ahead).
        expect(new Date((await leaseRow(account)).since).getTime()).toBeLessThanOrEqual(await dbNow());
        let viewB = await b.followUp();
        expect((await a.followUp()).listener).toMatchObject({ state: 'listening', stoppedBecause: null });
        expect(viewB.listener).toMatchObject({ state: 'listening', stoppedBecause: null });
        expect(viewB.listener.since >= viewB.awaitingReceipts.items[0].sentAt).toBe(true);

        // A's campaign holds the account: A sees its campaign; to B its receipts are listened for, whoever does it.
        const holdByA = async () => {
          const saved = await leaseRow(account);
          const campaignA = (await a.followUp()).campaigns[0].id as string;
          await world.services.db.updateTable('smpp_listeners').set({ holder: `campaign:${campaignA}`, expires_at: new Date(Date.now() + 3_600_000) }).where('account', '=', account).execute();
          return { campaignA, restore: () => world.services.db.updateTable('smpp_listeners').set({ holder: saved.holder, expires_at: saved.expires_at }).where('account', '=', account).execute() };
        };
        let held = await holdByA();
        expect((await a.followUp()).listener).toMatchObject({ state: 'campaign', since: null });
        viewB = await b.followUp();
        expect(viewB.listener).toEqual({ account: 'mairie@127.0.0.1', state: 'listening', since: viewB.awaitingReceipts.items[0].sentAt, error: null, stoppedBecause: null, windowHours: 72 });
        expect(JSON.stringify(viewB)).not.toContain(held.campaignA);
        await held.restore();

        // All of B's receipts come: B awaits nothing. The listener, still bound for A, reads to B as stopped.
        const partsB = new Set((await world.services.db.selectFrom('scoping_sms_parts').select(['part_id', 'number_hash']).where('organisation_id', '=', world.orgB).where('state', 'is', null).execute()).map((p) => `${p.part_id} ${p.number_hash}`));
        await smsc.release((h) => partsB.has(`${h.id} ${numberHash(world.services, h.to)}`));
        await until(async () => expect((await runRows(world.orgB, b.runId)).every((r) => r.receipt !== null)).toBe(true));
        const stoppedForB = { account: 'mairie@127.0.0.1', state: 'stopped', since: null, error: null, stoppedBecause: 'nothing_awaited', windowHours: 72 };
        expect((await b.followUp()).listener).toEqual(stoppedForB);
        expect(own.state).toBe('listening');
        expect((await a.followUp()).listener).toMatchObject({ state: 'listening' });
        // Nor does A's campaign holding the account show to B.
        held = await holdByA();
        expect((await b.followUp()).listener).toEqual(stoppedForB);
        expect((await a.followUp()).listener).toMatchObject({ state: 'campaign' });
        await held.restore();

        await smsc.release();
        await until(async () => expect((await runRows(world.orgA, a.runId)).every((r) => r.receipt !== null)).toBe(true));
      } finally {
        await own.stop();
      }
    });
  });
}
