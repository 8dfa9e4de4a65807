// The notification campaign as a job: an email (platform mailer) and/or an SMS (the operator's SMPP
// account, through the same sms.ts as the CLI) per reachable person, at most `per_minute` messages or
// SMS parts a minute, a dry run first, and a delivery row per person and channel (what, when,
// outcome, then the SMS receipt) so that a campaign started again skips whoever already received it.
// Minors follow the CLI's rule: no direct message unless the campaign includes them; their legal
// representatives get the letter.
import { abortableSleep, EMAIL_SUBJECT, emailText, openSmppChannel, parseSmppUrl, planSms, smsText, type DeliveryChannel, type PartReceipt, type ScopePerson } from '@rempart/scoping';
import { json } from '@rempart/db';
import type { Services } from '../../platform/services.ts';
import { getOrganisation } from '../organisations/service.ts';
import { openResults, type StoredPerson } from './service.ts';
import { giveLeaseBack, recordPartReceipt, recordSmsParts, smppAccount, takeLease, waitForCampaignLease } from './receipts.ts';

/** How long a campaign's hold on the SMPP account lasts without renewal (it renews every minute while sending). */
const CAMPAIGN_LEASE_MS = 10 * 60_000;


export async function packOptions(services: Services, organisationId: string) {
  const org = await getOrganisation(services.db, organisationId);
  const dpo = [org.dpo.name, org.dpo.email, org.dpo.phone].filter(Boolean).join(', ');
  return { organisation: org.name, dpoContact: dpo || 'le délégué à la protection des données de la collectivité' };
}

export const asEnginePerson = (p: StoredPerson): ScopePerson => ({ ...p, records: p.records.map((_, i) => i) });

// SMTP and SMPP answers may quote the address or number; keep the code and the server's words without it.
const cleanDetail = (e: unknown) => {
  const err = e as { responseCode?: number; code?: string; message?: string };
  return `${err.code ?? 'erreur'}${err.responseCode ? ` ${err.responseCode}` : ''} : ${(err.message ?? '').replace(/[^\s<>]+@[^\s<>]+/g, '[adresse]').replace(/\+?\d[\d ]{7,}\d/g, '[numéro]').slice(0, 300)}`;
};

export type CampaignChannel = 'email' | 'sms';
export const CAMPAIGN_CHANNELS: readonly CampaignChannel[] = ['email', 'sms'];

/** The address a person is reached at on a channel, or null. */
const addressOn = (p: StoredPerson, c: CampaignChannel) => (c === 'email' ? p.email || null : p.phone?.mobile ? p.phone.e164 : null);

export async function runCampaignJob(services: Services, ctx: { payload: Record<string, unknown>; signal: AbortSignal; progress(v: Record<string, unknown>): Promise<void> }, sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep): Promise<Record<string, unknown>> {
  const campaign = await services.db.selectFrom('scoping_campaigns').selectAll().where('id', '=', String(ctx.payload.campaignId)).executeTakeFirstOrThrow();
  const run = await services.db.selectFrom('scoping_runs').selectAll().where('id', '=', campaign.run_id).executeTakeFirstOrThrow();
  const channels = CAMPAIGN_CHANNELS.filter((c) => campaign.channels.includes(c));
  const counts: Record<string, number> = { to_letter: 0, to_sms: 0, unreachable: 0, minors_held: 0 };
  for (const c of channels) for (const k of ['eligible', 'sent', 'simulated', 'failed', 'skipped', 'uncertain']) counts[`${c}_${k}`] = 0;
  if (channels.includes('sms')) Object.assign(counts, { sms_parts: 0, sms_delivered: 0, sms_undelivered: 0 });
  const bump = (k: string, n = 1) => { counts[k] = (counts[k] ?? 0) + n; };
  let sms: DeliveryChannel | null = null;
  let account = '';
  // Part receipts arrive on the SMPP session whenever the network answers, possibly for an earlier
  // campaign's SMS: each is recorded on its part's row, the same way the server's listener does later.
  // One read before its row is written gets one more try.
  let receipts: { r: PartReceipt; tries: number }[] = [];
  const applyReceipts = async () => {
    const todo = receipts;
    receipts = [];
    for (const { r, tries } of todo) {
      const outcome = await recordPartReceipt(services, account, r, 'campaign');
      if (outcome.kind === 'recorded' && outcome.settled && outcome.campaignId === campaign.id) bump(outcome.settled === 'delivered' ? 'sms_delivered' : 'sms_undelivered');
      else if (outcome.kind === 'unknown' && tries === 0) receipts.push({ r, tries: 1 });
    }
  };
  // Only one bind per SMPP account across the server instances: the campaign holds the account's lease while it sends.
  const leaseHolder = `campaign:${campaign.id}`;
  let leased = false;
  let leaseRenewed = 0;
  await services.db.updateTable('scoping_campaigns').set({ status: 'running' }).where('id', '=', campaign.id).execute();
  try {
    if (!campaign.dry_run && channels.includes('email') && !services.mailer) throw new Error("Aucun serveur d'envoi (SMTP) n'est configuré sur la plateforme.");
    if (!campaign.dry_run && channels.includes('sms')) {
      const smpp = services.config.smpp;
      if (!smpp) throw new Error("Aucun serveur SMS (SMPP_URL) n'est configuré sur la plateforme.");
      const target = parseSmppUrl(smpp.url);
      account = smppAccount(target);
      await waitForCampaignLease(services, account, leaseHolder, CAMPAIGN_LEASE_MS, ctx.signal, sleep);
      leased = true;
      leaseRenewed = Date.now();
      sms = await openSmppChannel(target, smpp.sender, { receipts: true, transmitterFallback: true, receiptWaitMs: smpp.receiptWaitMs, onPartReceipt: (r) => { receipts.push({ r, tries: 0 }); } });
    }
    const results = await openResults(services, run);
    const total = Number((run.figures as { persons?: number } | null)?.persons ?? 0);
    const pack = await packOptions(services, run.organisation_id);
    // What already left (sent), or may have (started, then the process died): never sent twice
    // unless the campaign asks to retry the uncertain ones.
    const previous = new Map((await services.db.selectFrom('scoping_deliveries').select(['person_ref', 'channel', 'status'])
      .where('run_id', '=', run.id).where('status', 'in', ['sent', 'started']).orderBy('at').execute()).map((d) => [`${d.person_ref}\u0000${d.channel}`, d.status]));
    const retryUncertain = ctx.payload.retryUncertain === true;
    const gap = 60_000 / campaign.per_minute;
    let owed = 0; // rate-limit time the previous message costs (an SMS in 3 parts costs 3)
    let i = 0;
    const row = (p: StoredPerson, channel: string, status: string, detail: string | null = null, messageId: string | null = null) => services.db.insertInto('scoping_deliveries').values({
      organisation_id: run.organisation_id, run_id: run.id, campaign_id: campaign.id, person_ref: p.id, channel, status, detail, message_id: messageId, at: services.now(),
    }).returning('id').executeTakeFirstOrThrow();
    for await (const p of results.persons()) {
      ctx.signal.throwIfAborted();
      i++;
      const reachable = channels.filter((c) => addressOn(p, c));
      // The address or number in a minor's records may be the child's own: the letter goes to the representatives.
      const held = p.minor && !campaign.include_minors && reachable.length > 0;
      if (held) bump('minors_held');
      const targets = held ? [] : reachable;
      for (const c of targets) {
        bump(`${c}_eligible`);
        const before = previous.get(`${p.id}\u0000${c}`);
        if (before === 'sent') { bump(`${c}_skipped`); continue; }
        if (before === 'started' && !retryUncertain) { bump(`${c}_uncertain`); continue; }
        const to = addressOn(p, c)!;
        const text = c === 'email' ? emailText(asEnginePerson(p), pack) : smsText(asEnginePerson(p), pack);
        if (campaign.dry_run) {
          if (c === 'sms') bump('sms_parts', planSms(text).parts.length);
          bump(`${c}_simulated`);
          await row(p, c, 'simulated');
          continue;
        }
        if (owed) await sleep(owed, ctx.signal);
        if (leased && Date.now() - leaseRenewed > 60_000) {
          if (!(await takeLease(services, account, leaseHolder, CAMPAIGN_LEASE_MS, 'campaign'))) throw new Error('La campagne a perdu la réservation du compte SMS (base injoignable trop longtemps ?) : relancez-la, elle reprendra où elle s’est arrêtée.');
          leaseRenewed = Date.now();
        }
        const cost = c === 'sms' ? sms!.cost({ personId: p.id, to, text }) : 1;
        // Written before the attempt: if the process dies during it, the resume knows it may have left.
        const started = await row(p, c, 'started');
        let status = 'sent';
        let detail: string | null = null;
        let messageId: string | null = null;
        try {
          if (c === 'email') await services.mailer!.send({ to, subject: EMAIL_SUBJECT, text });
          else { messageId = await sms!.deliver({ personId: p.id, to, text }); bump('sms_parts', cost); }
        } catch (e) {
          status = 'failed';
          detail = cleanDetail(e);
        }
        owed = gap * cost;
        bump(`${c}_${status}`);
        const at = services.now();
        await services.db.transaction().execute(async (trx) => {
          await trx.updateTable('scoping_deliveries').set({ status, detail, message_id: messageId, at }).where('id', '=', started.id).execute();
          if (messageId) await recordSmsParts(trx, services, { id: started.id, organisationId: run.organisation_id }, account, messageId, to, at);
        });
      }
      if (!targets.length) {
        // Nothing electronic this time: a letter when there is an address, else the SMS list, else nobody.
        const status = p.postal ? 'to_letter' : p.phone?.mobile && !channels.includes('sms') ? 'to_sms' : 'unreachable';
        bump(status);
        await row(p, status === 'to_letter' ? 'letter' : status === 'to_sms' ? 'sms' : 'none', status, held ? 'mineur : courrier aux représentants légaux' : null);
      }
      if (receipts.length) await applyReceipts();
      if (i % 10 === 0 || i === total) {
        await ctx.progress({ done: i, total, ...counts });
        await services.db.updateTable('scoping_campaigns').set({ counts: json(counts) }).where('id', '=', campaign.id).execute();
      }
    }
    // Closing waits a little for the receipts still expected; the server's listener records the later ones.
    await sms?.close();
    sms = null;
    if (leased) await giveLeaseBack(services, account, leaseHolder);
    // Twice: the second pass gives their one more try to receipts read before their row was written.
    await applyReceipts();
    await applyReceipts();
    await services.db.updateTable('scoping_campaigns').set({ status: 'done', counts: json(counts), finished_at: services.now() }).where('id', '=', campaign.id).execute();
    return counts;
  } catch (error) {
    await sms?.close().catch(() => undefined);
    if (account) await giveLeaseBack(services, account, leaseHolder).catch(() => undefined);
    await applyReceipts().catch(() => undefined);
    await services.db.updateTable('scoping_campaigns')
      .set({ status: ctx.signal.aborted ? 'cancelled' : 'failed', counts: json(counts), error: (error as Error).message.slice(0, 2000), finished_at: services.now() })
      .where('id', '=', campaign.id).execute();
    throw error;
  }
}
