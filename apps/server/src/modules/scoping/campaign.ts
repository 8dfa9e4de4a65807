// The notification campaign as a job: one email per reachable person through the platform mailer,
// at most `per_minute` a minute, a dry run first, and a delivery row per person (what, when, outcome)
// so that a campaign started again skips whoever already received the message.
import { EMAIL_SUBJECT, letterText, type ScopePerson } from '@rempart/scoping';
import { json } from '@rempart/db';
import type { Services } from '../../platform/services.ts';
import { getOrganisation } from '../organisations/service.ts';
import { openResults, type StoredPerson } from './service.ts';


export async function packOptions(services: Services, organisationId: string) {
  const org = await getOrganisation(services.db, organisationId);
  const dpo = [org.dpo.name, org.dpo.email, org.dpo.phone].filter(Boolean).join(', ');
  return { organisation: org.name, dpoContact: dpo || 'le délégué à la protection des données de la collectivité' };
}

export const asEnginePerson = (p: StoredPerson): ScopePerson => ({ ...p, records: p.records.map((_, i) => i) });

// SMTP answers may quote the address; keep the code and the server's words without it.
const cleanDetail = (e: unknown) => {
  const err = e as { responseCode?: number; code?: string; message?: string };
  return `${err.code ?? 'erreur'}${err.responseCode ? ` ${err.responseCode}` : ''} : ${(err.message ?? '').replace(/[^\s<>]+@[^\s<>]+/g, '[adresse]').slice(0, 300)}`;
};

export async function runCampaignJob(services: Services, ctx: { payload: Record<string, unknown>; signal: AbortSignal; progress(v: Record<string, unknown>): Promise<void> }, sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
  const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal.addEventListener('abort', onAbort, { once: true });
})): Promise<Record<string, unknown>> {
  const campaign = await services.db.selectFrom('scoping_campaigns').selectAll().where('id', '=', String(ctx.payload.campaignId)).executeTakeFirstOrThrow();
  const run = await services.db.selectFrom('scoping_runs').selectAll().where('id', '=', campaign.run_id).executeTakeFirstOrThrow();
  const counts: Record<string, number> = { sent: 0, simulated: 0, failed: 0, to_letter: 0, to_sms: 0, unreachable: 0, skipped: 0 };
  await services.db.updateTable('scoping_campaigns').set({ status: 'running' }).where('id', '=', campaign.id).execute();
  try {
    if (!campaign.dry_run && !services.mailer) throw new Error("Aucun serveur d'envoi (SMTP) n'est configuré sur la plateforme.");
    const results = await openResults(services, run);
    const total = Number((run.figures as { persons?: number } | null)?.persons ?? 0);
    const pack = await packOptions(services, run.organisation_id);
    const done = new Set((await services.db.selectFrom('scoping_deliveries').select('person_ref')
      .where('run_id', '=', run.id).where('status', '=', 'sent').execute()).map((d) => d.person_ref));
    const gap = 60_000 / campaign.per_minute;
    let i = 0;
    let sentSinceWait = false;
    for await (const p of results.persons()) {
      ctx.signal.throwIfAborted();
      i++;
      let status: string;
      let channel = 'email';
      let detail: string | null = null;
      if (done.has(p.id)) { counts.skipped!++; continue; }
      if (!p.email) {
        // No email: a letter when there is an address, else the SMS list, else nobody can be reached.
        channel = p.postal ? 'letter' : p.phone?.mobile ? 'sms' : 'none';
        status = p.postal ? 'to_letter' : p.phone?.mobile ? 'to_sms' : 'unreachable';
      } else if (campaign.dry_run) {
        status = 'simulated';
      } else {
        if (sentSinceWait) await sleep(gap, ctx.signal);
        try {
          await services.mailer!.send({ to: p.email, subject: EMAIL_SUBJECT, text: letterText(asEnginePerson(p), pack).join('\n\n') });
          status = 'sent';
        } catch (e) {
          status = 'failed';
          detail = cleanDetail(e);
        }
        sentSinceWait = true;
      }
      counts[status] = (counts[status] ?? 0) + 1;
      await services.db.insertInto('scoping_deliveries').values({
        organisation_id: run.organisation_id, run_id: run.id, campaign_id: campaign.id, person_ref: p.id, channel, status, detail, at: services.now(),
      }).execute();
      if (i % 10 === 0 || i === total) {
        await ctx.progress({ done: i, total, ...counts });
        await services.db.updateTable('scoping_campaigns').set({ counts: json(counts) }).where('id', '=', campaign.id).execute();
      }
    }
    await services.db.updateTable('scoping_campaigns').set({ status: 'done', counts: json(counts), finished_at: services.now() }).where('id', '=', campaign.id).execute();
    return counts;
  } catch (error) {
    await services.db.updateTable('scoping_campaigns')
      .set({ status: ctx.signal.aborted ? 'cancelled' : 'failed', counts: json(counts), error: (error as Error).message.slice(0, 2000), finished_at: services.now() })
      .where('id', '=', campaign.id).execute();
    throw error;
  }
}
