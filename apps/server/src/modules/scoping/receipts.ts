// SMS delivery receipts that arrive after the campaign: operators send them when the phone is back on
// the network, minutes or hours later. Each SMS part sent is a row (scoping_sms_parts) until its
// receipt comes; while any is awaited, and for at most SMPP_RECEIPT_MAX_HOURS after it left, the
// server keeps a receiver bind open, records each receipt on its delivery row, reconnects with
// backoff, and unbinds when nothing is awaited any more. The rows are the state: a restart resumes.
// With several server instances, only the one holding the account's lease (smpp_listeners, migration
// 011) binds: operators often allow a single bind per account, and a second may steal the receipts.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { openSmppReceiver, parseSmppUrl, type PartReceipt, type SmppReceiver, type SmppTarget } from '@rempart/scoping';
import type { Db } from '@rempart/db';
import type { Services } from '../../platform/services.ts';
import { isUuid } from '../organisations/access.ts';

/** The SMSC account that issued a part's identifier: identifiers are only unique per account. */
export const smppAccount = (t: SmppTarget) => `${t.systemId}@${t.host}:${t.port}`;

// Receipts name the handset as the operator writes it: +33…, 33…, 0033… or 06….
const digitsOf = (number: string) => {
  const d = number.replace(/\D/g, '').replace(/^00/, '');
  return /^0\d{9}$/.test(d) ? `33${d.slice(1)}` : d;
};
/** What a part keeps of its number: enough to recognise it in a receipt, not to read it back. */
export const numberHash = (services: Services, number: string) => services.keys.tokenHash(`sms-number:${digitsOf(number)}`);

/** One row per part of an SMS that left, in the delivery's transaction. */
export async function recordSmsParts(db: Db, services: Services, delivery: { id: string; organisationId: string }, account: string, messageId: string, to: string, sentAt: Date) {
  const ids = messageId.split(' ').filter(Boolean);
  if (!ids.length) return;
  const hash = numberHash(services, to);
  await db.insertInto('scoping_sms_parts').values(ids.map((partId, seq) => ({
    organisation_id: delivery.organisationId, delivery_id: delivery.id, account, part_id: partId, seq, number_hash: hash, sent_at: sentAt,
  }))).execute();
}

export type ReceiptOutcome =
  | { kind: 'recorded'; campaignId: string; settled: 'delivered' | 'undelivered' | null }
  | { kind: 'unknown' }
  | { kind: 'ambiguous' };

/**
 * Records a part's receipt on the one part awaiting it. An identifier awaited in two organisations
 * (an SMSC reusing identifiers) goes to the one whose number matches, or nowhere: a receipt never
 * lands on another organisation's row. The delivery is settled as the campaign did: delivered when
 * every part is, not delivered as soon as one part is final and not delivered.
 */
export async function recordPartReceipt(services: Services, account: string, r: PartReceipt, via: 'campaign' | 'listener'): Promise<ReceiptOutcome> {
  return services.db.transaction().execute(async (trx) => {
    const candidates = await trx.selectFrom('scoping_sms_parts').select(['id', 'organisation_id', 'delivery_id', 'number_hash', 'sent_at'])
      .where('account', '=', account).where('part_id', '=', r.partId).where('state', 'is', null).orderBy('sent_at', 'desc').execute();
    if (!candidates.length) return { kind: 'unknown' } as const;
    let chosen = candidates;
    if (new Set(candidates.map((c) => c.organisation_id)).size > 1 || candidates.length > 1) {
      const hash = numberHash(services, r.from);
      const same = candidates.filter((c) => c.number_hash === hash);
      if (same.length) chosen = same;
      if (new Set(chosen.map((c) => c.organisation_id)).size > 1) return { kind: 'ambiguous' } as const;
    }
    const part = chosen[0]!;
    // Locked first: two parts of one SMS answered at once would otherwise each see the other unanswered.
    const delivery = await trx.selectFrom('scoping_deliveries').select(['id', 'campaign_id', 'receipt'])
      .where('id', '=', part.delivery_id).where('organisation_id', '=', part.organisation_id).forUpdate().executeTakeFirstOrThrow();
    const at = services.now();
    await trx.updateTable('scoping_sms_parts').set({ state: r.state, received_at: at }).where('id', '=', part.id).execute();
    const states = (await trx.selectFrom('scoping_sms_parts').select('state').where('delivery_id', '=', delivery.id).orderBy('seq').execute()).map((s) => s.state);
    const failed = states.find((s) => s !== null && !s.startsWith('DELIVRD'));
    const settled = failed ? 'undelivered' : states.every((s) => s !== null) ? 'delivered' : null;
    if (!settled || delivery.receipt !== null) return { kind: 'recorded', campaignId: delivery.campaign_id, settled: null } as const;
    await trx.updateTable('scoping_deliveries').set({ receipt: settled, receipt_at: at, receipt_via: via, detail: failed ?? 'DELIVRD' }).where('id', '=', delivery.id).execute();
    return { kind: 'recorded', campaignId: delivery.campaign_id, settled } as const;
  });
}

/** Parts of this account still awaiting a receipt within the listening window. */
export async function awaitedParts(services: Services, account: string, maxMs: number): Promise<number> {
  const row = await services.db.selectFrom('scoping_sms_parts').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account', '=', account).where('state', 'is', null).where('sent_at', '>=', new Date(services.now().getTime() - maxMs)).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `standby`: receipts are awaited but another server instance holds the account's lease and listens. */
export type ListenerState = 'idle' | 'standby' | 'connecting' | 'listening' | 'retrying' | 'stopped';

// The account's lease (smpp_listeners): whoever holds it may bind. Its times (expiry and `since`)
// use the database's clock, shared by every instance: an instance whose clock drifts neither
// shortens another's lease nor dates what it shows in another's past or future.
const leaseExpiry = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;
const dbNow = sql<Date>`now()`;

/**
 * Takes the lease when free, lapsed or already held by `holder`; false while someone else holds it.
 * A listener does not renew a lease a campaign is waiting for (`wanted_until`): it gives way.
 */
export async function takeLease(services: Services, account: string, holder: string, ms: number, role: 'listener' | 'campaign'): Promise<boolean> {
  const row = await services.db.insertInto('smpp_listeners').values({ account, holder, state: 'connecting', since: dbNow, error: null, expires_at: leaseExpiry(ms) })
    // `since` moves when the holder changes (a campaign taking the account), not at each renewal.
    .onConflict((oc) => oc.column('account').doUpdateSet({ holder, expires_at: leaseExpiry(ms), since: sql<Date>`CASE WHEN smpp_listeners.holder IS DISTINCT FROM ${holder} THEN now() ELSE smpp_listeners.since END`, ...(role === 'campaign' ? { wanted_until: null } : {}) })
      .where((eb) => eb.and([
        eb.or([eb('smpp_listeners.holder', 'is', null), eb('smpp_listeners.holder', '=', holder), eb('smpp_listeners.expires_at', '<', dbNow)]),
        ...(role === 'listener' ? [eb.or([eb('smpp_listeners.wanted_until', 'is', null), eb('smpp_listeners.wanted_until', '<', dbNow)])] : []),
      ])))
    .returning('holder').executeTakeFirst();
  return row?.holder === holder;
}

/** Gives the lease back (if still held): the next taker needs not wait for it to lapse. */
export async function giveLeaseBack(services: Services, account: string, holder: string) {
  await services.db.updateTable('smpp_listeners').set({ holder: null, state: 'stopped', since: dbNow, error: null, expires_at: dbNow })
    .where('account', '=', account).where('holder', '=', holder).execute();
}

/**
 * A real SMS campaign binds only once it holds the account's lease: a listener on another instance
 * gives it back at its next look (within a minute), a dead one's lapses. The same instance's
 * listener has already stepped aside (hold). Gives up after `maxWaitMs` with a French error.
 */
export async function waitForCampaignLease(services: Services, account: string, holder: string, ms: number, signal: AbortSignal, sleep: (ms: number, signal: AbortSignal) => Promise<void>, maxWaitMs = 10 * 60_000) {
  const until = Date.now() + maxWaitMs;
  while (!(await takeLease(services, account, holder, ms, 'campaign'))) {
    await services.db.updateTable('smpp_listeners').set({ wanted_until: leaseExpiry(30_000) }).where('account', '=', account).execute();
    if (Date.now() > until) throw new Error(`Un autre serveur Rempart reste connecté au compte SMS ${account.replace(/:\d+$/, '')} depuis plus de ${Math.round(maxWaitMs / 60_000)} minutes : campagne non lancée, relancez-la plus tard.`);
    await sleep(250, signal);
  }
}

/**
 * What the account's lease row says, as an organisation may see it (any instance can read it). The
 * account is shared by every organisation on the server: `campaign` (a campaign holds the account
 * and receives the receipts on its own session) only when the campaign is this organisation's.
 * Another organisation's campaign records this one's receipts just as well (they are found by
 * account and identifier), so to this organisation its receipts are being listened for.
 */
export async function listenerStatus(services: Services, account: string, organisationId: string) {
  const row = await services.db.selectFrom('smpp_listeners').select(['state', 'since', 'error', 'holder', sql<boolean>`holder IS NOT NULL AND expires_at > now()`.as('live')])
    .where('account', '=', account).executeTakeFirst();
  const since = row ? new Date(row.since).toISOString() : null;
  if (!row?.live) return { state: 'stopped' as const, since: row?.state === 'stopped' ? since : null, error: null };
  if (row.holder?.startsWith('campaign:')) {
    const id = row.holder.slice('campaign:'.length);
    const own = isUuid(id) && !!(await services.db.selectFrom('scoping_campaigns').select('id').where('id', '=', id).where('organisation_id', '=', organisationId).executeTakeFirst());
    // Not when another organisation's campaign took the account: that is its own business.
    return { state: own ? 'campaign' as const : 'listening' as const, since: null, error: null };
  }
  return { state: row.state, since, error: row.error };
}

// An SMPP error may quote the address it failed to reach; never the password, but keep it short and
// strip anything shaped like credentials all the same.
const safeError = (e: unknown) => String((e as Error)?.message ?? e).replace(/\/\/[^@\s]*@/g, '//').slice(0, 200);

export interface ReceiptListener {
  readonly state: ListenerState;
  /** The bind the operator accepted last (some refuse a transceiver). */
  readonly kind: 'transceiver' | 'receiver' | null;
  /** Receipts handled so far, by outcome (tests and logs). */
  readonly handled: Record<ReceiptOutcome['kind'], number>;
  /** Look again now (a campaign just ended) instead of at the next check. */
  poke(): void;
  /**
   * Unbinds and stays unbound until as many `release` calls: while a campaign runs, its own session
   * receives and records every receipt, and operators often allow a single bind per account.
   */
  hold(): Promise<void>;
  release(): void;
  stop(): Promise<void>;
}

export interface ListenerOptions {
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** How often it looks for awaited receipts while idle, and checks its window while bound. */
  checkMs?: number;
  /** Reconnection delay: doubles from `firstMs` up to `maxMs`. */
  backoff?: { firstMs: number; maxMs: number };
  linkCheckMs?: number;
  /**
   * How long the account's lease lasts without renewal (default three checks): a crashed holder's
   * instance gives way to another after at most this long.
   */
  leaseMs?: number;
}

export function startReceiptListener(services: Services, options: ListenerOptions = {}): ReceiptListener | null {
  const smpp = services.config.smpp;
  if (!smpp) return null;
  const target = parseSmppUrl(smpp.url);
  const account = smppAccount(target);
  const checkMs = options.checkMs ?? 60_000;
  const leaseMs = options.leaseMs ?? 3 * checkMs;
  const backoff = options.backoff ?? { firstMs: 2_000, maxMs: 300_000 };
  const log = options.log;
  const me = randomUUID();
  let stopped = false;
  let state: ListenerState = 'idle';
  let kind: 'transceiver' | 'receiver' | null = null;
  let receiver: SmppReceiver | null = null;
  let lost: Error | null = null;
  let failures = 0;
  let holds = 0;
  let leased = false;
  // Until when this instance may stay bound without a renewal (its own clock, with a margin): a
  // database it cannot reach any more must not leave it bound while another instance takes over.
  let leaseValidUntil = 0;
  let wake: (() => void) | null = null;
  const handled = { recorded: 0, unknown: 0, ambiguous: 0 };
  // A nudge while the loop is busy is kept for its next sleep: a campaign's end, or a hold, is never missed.
  let nudged = false;
  const nudge = () => { if (wake) wake(); else nudged = true; };
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (nudged) { nudged = false; resolve(); return; }
    const done = () => { clearTimeout(timer); if (wake === done) wake = null; resolve(); };
    const timer = setTimeout(done, ms);
    timer.unref();
    wake = done;
  });
  const acquire = async () => {
    leased = await takeLease(services, account, me, leaseMs, 'listener');
    if (leased) leaseValidUntil = Date.now() + leaseMs * 0.8;
    return leased;
  };
  /** Says what this instance does, on its lease row only. */
  const publish = async (next: 'connecting' | 'listening' | 'retrying', error: string | null = null) => {
    await services.db.updateTable('smpp_listeners').set({ state: next, since: dbNow, error }).where('account', '=', account).where('holder', '=', me).execute();
  };
  const giveBack = async () => {
    if (!leased) return;
    leased = false;
    await giveLeaseBack(services, account, me).catch((error: Error) => log?.warn({ err: error }, 'SMS receipt listener cannot give its lease back'));
  };
  const unbind = async (why: string) => {
    if (receiver) { await receiver.close(); receiver = null; log?.info({ why }, 'SMS receipt listener unbound'); }
  };
  // One receipt at a time, in the order the SMSC sent them.
  let queue: Promise<void> = Promise.resolve();
  const onReceipt = (r: PartReceipt) => {
    queue = queue.then(async () => {
      const outcome = await recordPartReceipt(services, account, r, 'listener');
      handled[outcome.kind]++;
      // The identifier only: the number is personal data.
      if (outcome.kind !== 'recorded') log?.warn({ partId: r.partId, outcome: outcome.kind }, 'SMS receipt not recorded');
    }).catch((error: Error) => { log?.error({ err: error }, 'SMS receipt could not be recorded'); });
  };
  const retryDelay = () => Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(20, failures - 1));
  const loop = (async () => {
    while (!stopped) {
      let awaited: number;
      try {
        awaited = await awaitedParts(services, account, smpp.receiptMaxMs);
        // Renewed at every look (at most `checkMs` apart, well within `leaseMs`); taken before binding.
        if (awaited && !holds && !(await acquire())) {
          await unbind('another server instance holds the lease, or a campaign waits for it');
          // A campaign waits for it: given back now rather than when it lapses.
          await giveLeaseBack(services, account, me);
          state = 'standby';
          await sleep(checkMs);
          continue;
        }
      } catch (error) {
        log?.error({ err: error }, 'SMS receipt listener cannot read the awaited receipts');
        if (receiver && Date.now() > leaseValidUntil) await unbind('lease not renewed');
        await sleep(checkMs);
        continue;
      }
      if (stopped) break;
      if (!awaited || holds > 0) {
        await unbind(holds ? 'a campaign is sending' : 'nothing awaited');
        await giveBack();
        state = 'idle';
        await sleep(checkMs);
        continue;
      }
      if (!receiver) {
        state = 'connecting';
        try {
          // After a failure the row keeps saying « reconnecting since the first failure ».
          if (!failures) await publish('connecting');
          const opened = await openSmppReceiver(target, onReceipt, { prefer: kind ?? undefined, linkCheckMs: options.linkCheckMs });
          receiver = opened;
          kind = opened.kind;
          failures = 0;
          lost = null;
          state = 'listening';
          void opened.closed.then((e) => { if (receiver === opened) { lost = e; nudge(); } });
          await publish('listening');
          log?.info({ kind, awaited }, 'SMS receipt listener bound');
        } catch (error) {
          failures++;
          state = 'retrying';
          if (failures === 1) await publish('retrying', safeError(error)).catch(() => undefined);
          log?.warn({ err: error, failures }, 'SMS receipt listener cannot bind');
          await sleep(retryDelay());
          continue;
        }
      }
      if (!lost && !holds) await sleep(checkMs);
      if (lost && receiver) {
        const error = lost;
        receiver = null;
        failures++;
        state = 'retrying';
        if (failures === 1) await publish('retrying', safeError(error)).catch(() => undefined);
        log?.warn({ err: error, failures }, 'SMS receipt listener lost its bind');
        await sleep(retryDelay());
      }
    }
  })();
  return {
    get state() { return state; },
    get kind() { return kind; },
    handled,
    poke() { nudge(); },
    async hold() {
      holds++;
      nudge();
      // Wait until the loop has seen the hold (and closed its bind): a campaign binds right after.
      while (!stopped && (receiver || state === 'connecting')) await new Promise<void>((r) => setTimeout(r, 20));
    },
    release() {
      holds = Math.max(0, holds - 1);
      nudge();
    },
    async stop() {
      stopped = true;
      nudge();
      await loop;
      await receiver?.close();
      receiver = null;
      await queue;
      // Given back at once: another instance takes over at its next look, not when the lease lapses.
      await giveBack();
      state = 'stopped';
    },
  };
}
