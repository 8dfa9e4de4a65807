// Breach scoping inside an incident (issue 4, platform part): map the columns, run the engine as a
// job, persons masked by default (each reveal is an audited read), review uncertain pairs, send the
// figures into the CNIL dossier, and notify the persons.
import { cnilDossierSchema, mergeDossier } from '@rempart/documents';
import { json } from '@rempart/db';
import { spreadsheetCell } from '@rempart/ingest/spreadsheet';
import { parseSmppUrl, smsText, writeLettersPdf, type PackOptions } from '@rempart/scoping';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { defineRoute, type RequestContext, type RouteDef } from '../../platform/http.ts';
import { SCOPING_CAMPAIGN, SCOPING_RUN } from './job.ts';
import { errors } from '../../platform/errors.ts';
import { withScratchDir } from '../../platform/scratch.ts';
import { isUuid } from '../organisations/access.ts';
import { getIncidentRow } from '../incidents/service.ts';
import { cancelJob, enqueueJob, jobView } from '../jobs/queue.ts';
import { readDataset } from '../datasets/service.ts';
import { cnilProposal, maskPerson, openResults, parseMapping, previewMapping, suggestMapping, type StoredPerson } from './service.ts';
import { asEnginePerson, CAMPAIGN_CHANNELS, packOptions, type CampaignChannel } from './campaign.ts';
import { say } from '../../platform/say.ts';
import { listenerStatus, smppAccount } from './receipts.ts';

const INC = '/api/v1/organisations/:orgId/incidents/:incidentId';
const DS = `${INC}/datasets/:datasetId`;
const RUN = `${INC}/scoping/runs/:runId`;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, say('Date attendue au format AAAA-MM-JJ.', 'Date expected as YYYY-MM-DD.')).refine((d) => !Number.isNaN(new Date(`${d}T00:00:00Z`).getTime()), say('Date impossible.', 'Impossible date.'));
const mappingBody = z.object({ mapping: z.string().min(1, say('La correspondance est vide.', 'The mapping is empty.')).max(256 * 1024, say('Correspondance trop longue.', 'Mapping too long.')) });
const parisToday = (now: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now);

async function datasetRow(ctx: RequestContext) {
  const org = ctx.requireOrg();
  const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
  const id = ctx.params.datasetId;
  if (!isUuid(id)) throw errors.notFound('Extrait');
  const row = await ctx.services.db.selectFrom('leaked_datasets').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Extrait');
  return { org, incident, row };
}

async function runRow(ctx: RequestContext) {
  const org = ctx.requireOrg();
  const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
  const id = ctx.params.runId;
  if (!isUuid(id)) throw errors.notFound('Analyse');
  const run = await ctx.services.db.selectFrom('scoping_runs').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).where('id', '=', id).executeTakeFirst();
  if (!run) throw errors.notFound('Analyse');
  return { org, incident, run };
}

type RunRow = Awaited<ReturnType<typeof runRow>>['run'];

async function runView(ctx: RequestContext, run: RunRow) {
  const job = run.job_id ? await ctx.services.db.selectFrom('jobs').selectAll().where('id', '=', run.job_id).executeTakeFirst() : undefined;
  const pending = await ctx.services.db.selectFrom('scoping_decisions').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organisation_id', '=', run.organisation_id).where('dataset_id', '=', run.dataset_id).where('decided_at', '>', run.created_at).executeTakeFirstOrThrow();
  return {
    id: run.id, datasetId: run.dataset_id, status: run.status, perimeter: run.perimeter, notificationDate: run.notification_date,
    figures: run.figures, decisionsApplied: run.decisions_applied, decisionsSinceRun: Number(pending.n), error: run.error,
    createdByName: run.created_by_name, createdAt: new Date(run.created_at).toISOString(), finishedAt: run.finished_at ? new Date(run.finished_at).toISOString() : null,
    progress: job ? jobView(job).progress : {},
  };
}

function download(ctx: RequestContext, type: string, filename: string, content: Buffer | string | Readable) {
  ctx.reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store');
  return ctx.reply.send(content);
}

const personsQuery = z.object({
  risk: z.enum(['phishing', 'identity_theft', 'burglary', 'retaliation', 'vehicle_fraud', 'sensitive']).optional(),
  module: z.string().max(100).optional(),
  minor: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
const PAGE = 50;

/** The persons due a letter (a postal address, no message sent), as they are read: one segment at a time. */
export async function* letterPersons(persons: AsyncIterable<StoredPerson>, sent: Set<string>) {
  for await (const p of persons) if (p.postal && !sent.has(p.id)) yield asEnginePerson(p);
}

/** The SMS list, a line per person with a mobile, written as the persons are read. */
export async function* smsCsvLines(persons: AsyncIterable<StoredPerson>, pack: PackOptions) {
  yield '\ufeffperson_id,phone,message\n';
  for await (const p of persons) if (p.phone?.mobile) yield `${[p.id, p.phone.e164, smsText(asEnginePerson(p), pack)].map((v) => spreadsheetCell(v, ',')).join(',')}\n`;
}

/**
 * One channel's follow-up. `late`: receipts the server's listener recorded after their campaign ended
 * (not those the campaign's own session got during its end wait); `noReceipt`: SMS past the listening
 * window without one; `untracked`: SMS sent before receipts were followed per part (migration 009),
 * whose receipt nobody listens for.
 */
interface ChannelFollowUp { planned: number | null; sent: number; failed: number; uncertain: number; pending: number | null; delivered: number; undelivered: number; late: number; awaiting: number; noReceipt: number; untracked: number }
const emptyFollowUp = (): ChannelFollowUp => ({ planned: null, sent: 0, failed: 0, uncertain: 0, pending: null, delivered: 0, undelivered: 0, late: 0, awaiting: 0, noReceipt: 0, untracked: 0 });
const AWAITING_SHOWN = 100;

/**
 * The late-receipt listener as this run's follow-up sees it, from the account's lease row (whichever
 * server instance listens). The account as identifier@host only: no port, never the password. When
 * stopped, why, for this run: nothing awaited, its window over, or receipts awaited but nobody listening.
 * The account serves every organisation: what the listener does for the others is not shown. While
 * this run awaits no receipt it reads as stopped (unless this organisation's own campaign holds the
 * account), and its "since" is never before this run's oldest awaited SMS.
 */
async function receiptListenerView(ctx: RequestContext, organisationId: string, sms: ChannelFollowUp, oldestAwaited: string | null) {
  const smpp = ctx.services.config.smpp;
  if (!smpp) return null;
  const target = parseSmppUrl(smpp.url);
  const account = `${target.systemId}@${target.host}`;
  const windowHours = smpp.receiptMaxMs / 3_600_000;
  const status = await listenerStatus(ctx.services, smppAccount(target), organisationId);
  if (status.state !== 'campaign' && sms.awaiting === 0) {
    return { account, state: 'stopped' as const, since: null, error: null, stoppedBecause: sms.noReceipt > 0 ? 'time_limit' as const : 'nothing_awaited' as const, windowHours };
  }
  // The row's time is the database's, the SMS's the server's: the later of the two, for display only.
  const since = status.state === 'campaign' ? null : [status.since, oldestAwaited].filter((t): t is string => t !== null).sort().at(-1) ?? null;
  return { account, ...status, since, stoppedBecause: status.state === 'stopped' ? 'not_listening' as const : null, windowHours };
}

const sameChannels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c) => b.includes(c));

export const scopingRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${DS}/mapping/suggestion`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Correspondance des colonnes proposée d’après l’en-tête',
    handler: async (ctx) => {
      const { org, incident, row } = await datasetRow(ctx);
      const data = await readDataset(ctx.services, org.id, row.id, incident.id);
      await ctx.auditRead('leaked_dataset', row.id, { what: 'mapping_suggestion' });
      return { mapping: await suggestMapping(ctx.services, data, row.name) };
    },
  }),
  defineRoute({
    method: 'POST', path: `${DS}/mapping/preview`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Aperçu des premières lignes lues avec une correspondance (lecture tracée)',
    body: mappingBody,
    handler: async (ctx) => {
      const { org, incident, row } = await datasetRow(ctx);
      const data = await readDataset(ctx.services, org.id, row.id, incident.id);
      await ctx.auditRead('leaked_dataset', row.id, { what: 'mapping_preview' });
      return previewMapping(ctx.services, data, row.name, ctx.body.mapping);
    },
  }),
  defineRoute({
    method: 'PUT', path: `${DS}/mapping`, access: { permission: 'dataset.write' }, tag: 'scoping', summary: 'Enregistrer la correspondance des colonnes avec l’extrait',
    body: mappingBody,
    handler: async (ctx) => {
      const { org, incident, row } = await datasetRow(ctx);
      const session = ctx.requireSession();
      const data = await readDataset(ctx.services, org.id, row.id, incident.id);
      const preview = await previewMapping(ctx.services, data, row.name, ctx.body.mapping);
      if (!preview.ok) throw errors.validation(preview.errors.map((e) => ({ path: 'mapping', message: e.message })), 'La correspondance ne convient pas à cet extrait.');
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.updateTable('leaked_datasets').set({ mapping: ctx.body.mapping, mapping_updated_at: ctx.services.now(), mapping_updated_by_name: session.userName }).where('id', '=', row.id).execute();
        await ctx.audit(trx, { action: 'scoping.mapping', objectType: 'leaked_dataset', objectId: row.id, outcome: 'success' });
      });
      return { saved: true, mappingUpdatedAt: ctx.services.now().toISOString() };
    },
  }),
  defineRoute({
    method: 'POST', path: `${DS}/runs`, access: { permission: 'dataset.write' }, tag: 'scoping', summary: 'Lancer l’analyse du périmètre (tâche de fond)',
    body: z.object({
      since: day.optional(), until: day.optional(),
      modules: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      notificationDate: day.optional(),
    }).refine((b) => !b.since || !b.until || b.since <= b.until, { message: say('Le début du périmètre est postérieur à sa fin.', 'The start of the perimeter is after its end.'), path: ['until'] }),
    handler: async (ctx) => {
      const { org, incident, row } = await datasetRow(ctx);
      const session = ctx.requireSession();
      if (!row.wrapped_key) throw errors.conflict('dataset_purged', 'Cet extrait a été purgé.');
      if (!row.mapping || !parseMapping(row.mapping).ok) throw errors.badRequest('mapping_required', 'Enregistrez d’abord la correspondance des colonnes de cet extrait.');
      const perimeter = { since: ctx.body.since ?? null, until: ctx.body.until ?? null, modules: ctx.body.modules?.length ? ctx.body.modules : null };
      const run = await ctx.services.db.transaction().execute(async (trx) => {
        const created = await trx.insertInto('scoping_runs').values({
          organisation_id: org.id, incident_id: incident.id, dataset_id: row.id, perimeter: json(perimeter), mapping: row.mapping!,
          notification_date: ctx.body.notificationDate ?? parisToday(ctx.services.now()), created_by: session.userId, created_by_name: session.userName, created_at: ctx.services.now(),
        }).returningAll().executeTakeFirstOrThrow();
        const jobId = await enqueueJob(trx, { organisationId: org.id, kind: SCOPING_RUN, payload: { runId: created.id } });
        await trx.updateTable('scoping_runs').set({ job_id: jobId }).where('id', '=', created.id).execute();
        await ctx.audit(trx, { action: 'scoping.run', objectType: 'scoping_run', objectId: created.id, outcome: 'success', details: { datasetId: row.id, perimeter } });
        return { ...created, job_id: jobId };
      });
      ctx.reply.code(202);
      return runView(ctx, run);
    },
  }),
  defineRoute({
    method: 'GET', path: `${DS}/runs`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Analyses du périmètre de cet extrait',
    handler: async (ctx) => {
      const { org, row } = await datasetRow(ctx);
      const runs = await ctx.services.db.selectFrom('scoping_runs').selectAll().where('organisation_id', '=', org.id).where('dataset_id', '=', row.id).orderBy('created_at', 'desc').execute();
      return Promise.all(runs.map((r) => runView(ctx, r)));
    },
  }),
  defineRoute({
    method: 'GET', path: RUN, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Une analyse : état, progression, chiffres',
    handler: async (ctx) => runView(ctx, (await runRow(ctx)).run),
  }),
  defineRoute({
    method: 'POST', path: `${RUN}/cancel`, access: { permission: 'dataset.write' }, tag: 'scoping', summary: 'Arrêter l’analyse en attente ou en cours',
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      if (!run.job_id || !['queued', 'running'].includes(run.status) || !(await cancelJob(ctx.services.db, org.id, run.job_id))) throw errors.conflict('not_running', "Cette analyse n'est pas en cours.");
      const updated = await ctx.services.db.transaction().execute(async (trx) => {
        const row = await trx.updateTable('scoping_runs').set({ status: 'cancelled', error: 'annulée', finished_at: ctx.services.now() }).where('id', '=', run.id).returningAll().executeTakeFirstOrThrow();
        await ctx.audit(trx, { action: 'scoping.cancel', objectType: 'scoping_run', objectId: run.id, outcome: 'success' });
        return row;
      });
      return runView(ctx, updated);
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/persons`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Personnes exposées, données masquées (filtres : risque, module, mineur)',
    query: personsQuery,
    handler: async (ctx) => {
      const { run } = await runRow(ctx);
      const results = await openResults(ctx.services, run);
      const q = ctx.query as z.infer<typeof personsQuery>;
      const { total, persons } = await results.personsPage({ risk: q.risk, module: q.module, minor: q.minor }, q.page, PAGE);
      await ctx.auditRead('scoping_run', run.id, { what: 'persons_masked', filter: { risk: q.risk, module: q.module, minor: q.minor }, page: q.page });
      return { total, page: q.page, pageSize: PAGE, persons: persons.map(maskPerson) };
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/persons/:personId`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Révéler une personne (lecture tracée)',
    handler: async (ctx) => {
      const { run } = await runRow(ctx);
      const found = await (await openResults(ctx.services, run)).person(String(ctx.params.personId));
      if (!found) throw errors.notFound('Personne');
      await ctx.auditRead('scoping_person', null, { runId: run.id, personId: found.person.id });
      return { ...found.person, records: found.records };
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/review`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Rapprochements incertains, côte à côte (lecture tracée)',
    query: z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }),
    handler: async (ctx) => {
      const { run } = await runRow(ctx);
      const results = await openResults(ctx.services, run);
      const decisions = await ctx.services.db.selectFrom('scoping_decisions').selectAll().where('organisation_id', '=', run.organisation_id).where('dataset_id', '=', run.dataset_id).execute();
      const byPair = new Map(decisions.map((d) => [`${d.record_a}\u0000${d.record_b}`, d]));
      const decisionOf = (x: string, y: string) => byPair.get(x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);
      const page = (ctx.query as { page: number }).page;
      const remaining = (await results.reviewKeys()).filter(([a, b]) => !decisionOf(a, b)).length;
      const { total, pairs } = await results.reviewPage(page, 20);
      await ctx.auditRead('scoping_run', run.id, { what: 'review', page });
      return {
        total, remaining, page, pageSize: 20,
        pairs: pairs.map((p) => { const d = decisionOf(p.a, p.b); return { ...p, decision: d ? { same: d.same, byName: d.decided_by_name, at: new Date(d.decided_at).toISOString() } : null }; }),
      };
    },
  }),
  defineRoute({
    method: 'POST', path: `${RUN}/decisions`, access: { permission: 'dataset.write' }, tag: 'scoping', summary: 'Décider : même personne ou personnes différentes (appliqué à la prochaine analyse)',
    body: z.object({ a: z.string().min(1).max(300), b: z.string().min(1).max(300), same: z.boolean() }).refine((d) => d.a !== d.b, { message: say('Deux lignes différentes sont attendues.', 'Two different rows are expected.'), path: ['b'] }),
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      const session = ctx.requireSession();
      if (!(await (await openResults(ctx.services, run)).hasRecords([ctx.body.a, ctx.body.b]))) throw errors.validation([{ path: 'a', message: 'Ces lignes ne figurent pas dans les résultats de cette analyse.' }]);
      const [a, b] = ctx.body.a < ctx.body.b ? [ctx.body.a, ctx.body.b] : [ctx.body.b, ctx.body.a];
      const now = ctx.services.now();
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.insertInto('scoping_decisions').values({ organisation_id: org.id, dataset_id: run.dataset_id, record_a: a, record_b: b, same: ctx.body.same, decided_by: session.userId, decided_by_name: session.userName, decided_at: now })
          .onConflict((oc) => oc.columns(['dataset_id', 'record_a', 'record_b']).doUpdateSet({ same: ctx.body.same, decided_by: session.userId, decided_by_name: session.userName, decided_at: now })).execute();
        await ctx.audit(trx, { action: 'scoping.decision', objectType: 'scoping_run', objectId: run.id, outcome: 'success', details: { same: ctx.body.same } });
      });
      ctx.reply.code(201);
      return { a, b, same: ctx.body.same, byName: session.userName, at: now.toISOString() };
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/cnil`, access: { permission: 'cnil.write' }, tag: 'scoping', summary: 'Chiffres de l’analyse proposés pour le dossier CNIL, face aux valeurs actuelles',
    handler: async (ctx) => {
      const { org, incident, run } = await runRow(ctx);
      if (!run.figures) throw errors.conflict('run_not_done', "L'analyse n'est pas terminée.");
      const saved = await ctx.services.db.selectFrom('cnil_dossiers').select('dossier').where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).executeTakeFirst();
      const current = cnilDossierSchema.parse(saved?.dossier ?? {});
      return { proposed: cnilProposal(run.figures), current: { persons: current.persons ?? null, records: current.records ?? null, dataCategories: current.dataCategories ?? null, sensitiveData: current.sensitiveData ?? null } };
    },
  }),
  defineRoute({
    method: 'POST', path: `${RUN}/cnil`, access: { permission: 'cnil.write' }, tag: 'scoping', summary: 'Verser les chiffres confirmés dans le dossier CNIL',
    body: z.object({ confirm: z.literal(true, { message: say('Confirmez les chiffres avant de les verser au dossier.', 'Confirm the figures before adding them to the dossier.') }) }),
    handler: async (ctx) => {
      const { org, incident, run } = await runRow(ctx);
      const session = ctx.requireSession();
      if (!run.figures) throw errors.conflict('run_not_done', "L'analyse n'est pas terminée.");
      const p = cnilProposal(run.figures);
      const now = ctx.services.now();
      const dossier = await ctx.services.db.transaction().execute(async (trx) => {
        const saved = await trx.selectFrom('cnil_dossiers').select('dossier').where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).executeTakeFirst();
        const current = cnilDossierSchema.parse(saved?.dossier ?? {});
        const next = mergeDossier(current, { persons: { ...current.persons, ...p.persons }, records: p.records, dataCategories: p.dataCategories, sensitiveData: p.sensitiveData });
        await trx.insertInto('cnil_dossiers').values({ incident_id: incident.id, organisation_id: org.id, dossier: json(next), updated_by: session.userId, updated_at: now })
          .onConflict((oc) => oc.column('incident_id').doUpdateSet({ dossier: json(next), updated_by: session.userId, updated_at: now })).execute();
        await trx.insertInto('journal_entries').values({
          organisation_id: org.id, incident_id: incident.id, kind: 'fact', author_id: session.userId, author_name: session.userName, occurred_at: now,
          text: `Chiffres de l’analyse du périmètre versés au dossier CNIL : ${p.persons.approxCount} personnes distinctes (entre ${p.range[0]} et ${p.range[1]} selon le seuil de rapprochement), ${p.records.approxCount} lignes, ${p.persons.minors ? 'dont des mineurs' : 'aucun mineur identifié'}.`,
        }).execute();
        await ctx.audit(trx, { action: 'cnil.save', objectType: 'cnil_dossier', objectId: incident.id, outcome: 'success', details: { source: 'scoping', runId: run.id } });
        return next;
      });
      return { dossier, range: p.range };
    },
  }),
  defineRoute({
    method: 'POST', path: `${RUN}/campaigns`, access: { permission: 'notification.send' }, tag: 'scoping', summary: 'Lancer la campagne de courriels et/ou de SMS (simulation d’abord, puis envoi)',
    body: z.object({
      dryRun: z.boolean(), perMinute: z.number().int().min(1).max(6000).default(60),
      channels: z.array(z.enum(['email', 'sms'])).min(1, say('Choisissez au moins un canal : courriel ou SMS.', 'Choose at least one channel: email or SMS.')).max(2).default(['email']),
      includeMinors: z.boolean().default(false),
      /** Send again the messages whose sending was cut before it was confirmed (the server stopped mid-send). */
      retryUncertain: z.boolean().default(false),
    }),
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      const session = ctx.requireSession();
      const channels = CAMPAIGN_CHANNELS.filter((c) => ctx.body.channels.includes(c));
      if (run.status !== 'done') throw errors.conflict('run_not_done', "L'analyse n'est pas terminée.");
      if (!ctx.body.dryRun) {
        if (channels.includes('email') && !ctx.services.mailer) throw errors.badRequest('smtp_missing', "Aucun serveur d'envoi (SMTP) n'est configuré sur la plateforme : utilisez les courriers et la liste SMS.");
        if (channels.includes('sms') && !ctx.services.config.smpp) throw errors.badRequest('smpp_missing', "Aucun serveur SMS (SMPP_URL) n'est configuré sur la plateforme : téléchargez la liste SMS pour l'envoyer autrement.");
        // The real campaign must be the one simulated: same channels, same choice about minors.
        const dries = await ctx.services.db.selectFrom('scoping_campaigns').select(['channels', 'include_minors']).where('run_id', '=', run.id).where('dry_run', '=', true).where('status', '=', 'done').execute();
        if (!dries.some((d) => sameChannels(d.channels, channels) && d.include_minors === ctx.body.includeMinors)) throw errors.conflict('dry_run_first', 'Faites d’abord une simulation de cette campagne (mêmes canaux, même choix pour les mineurs) et vérifiez son résultat.');
      }
      const busy = await ctx.services.db.selectFrom('scoping_campaigns').select('id').where('run_id', '=', run.id).where('status', 'in', ['queued', 'running']).executeTakeFirst();
      if (busy) throw errors.conflict('campaign_running', 'Une campagne est déjà en cours pour cette analyse.');
      const campaign = await ctx.services.db.transaction().execute(async (trx) => {
        const c = await trx.insertInto('scoping_campaigns').values({
          organisation_id: org.id, run_id: run.id, dry_run: ctx.body.dryRun, per_minute: ctx.body.perMinute, channels: json(channels), include_minors: ctx.body.includeMinors,
          created_by: session.userId, created_by_name: session.userName, created_at: ctx.services.now(),
        }).returningAll().executeTakeFirstOrThrow();
        const jobId = await enqueueJob(trx, { organisationId: org.id, kind: SCOPING_CAMPAIGN, payload: { campaignId: c.id, retryUncertain: ctx.body.retryUncertain } });
        await trx.updateTable('scoping_campaigns').set({ job_id: jobId }).where('id', '=', c.id).execute();
        await ctx.audit(trx, { action: ctx.body.dryRun ? 'scoping.campaign_dry_run' : 'scoping.campaign_send', objectType: 'scoping_run', objectId: run.id, outcome: 'success', details: { campaignId: c.id, perMinute: ctx.body.perMinute, channels, includeMinors: ctx.body.includeMinors, retryUncertain: ctx.body.retryUncertain } });
        return c;
      });
      ctx.reply.code(202);
      return { id: campaign.id, dryRun: campaign.dry_run, status: campaign.status, channels, includeMinors: campaign.include_minors };
    },
  }),
  defineRoute({
    method: 'POST', path: `${RUN}/campaigns/:campaignId/cancel`, access: { permission: 'notification.send' }, tag: 'scoping', summary: 'Arrêter la campagne (elle reprend là où elle s’est arrêtée si on la relance)',
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      const id = ctx.params.campaignId;
      if (!isUuid(id)) throw errors.notFound('Campagne');
      const c = await ctx.services.db.selectFrom('scoping_campaigns').selectAll().where('organisation_id', '=', org.id).where('run_id', '=', run.id).where('id', '=', id).executeTakeFirst();
      if (!c) throw errors.notFound('Campagne');
      if (!c.job_id || !(await cancelJob(ctx.services.db, org.id, c.job_id))) throw errors.conflict('not_running', "Cette campagne n'est pas en cours.");
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.updateTable('scoping_campaigns').set({ status: 'cancelled', finished_at: ctx.services.now() }).where('id', '=', c.id).where('status', 'in', ['queued', 'running']).execute();
        await ctx.audit(trx, { action: 'scoping.campaign_cancel', objectType: 'scoping_run', objectId: run.id, outcome: 'success', details: { campaignId: c.id } });
      });
      return { id: c.id, status: 'cancelled' };
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/campaigns`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Suivi de la campagne de notification, par canal',
    handler: async (ctx) => {
      const { run } = await runRow(ctx);
      const campaigns = await ctx.services.db.selectFrom('scoping_campaigns').selectAll().where('run_id', '=', run.id).orderBy('created_at', 'desc').execute();
      // One outcome per person and channel: the latest real one (a dry run never counts as sent).
      const deliveries = await ctx.services.db.selectFrom('scoping_deliveries').innerJoin('scoping_campaigns', 'scoping_campaigns.id', 'scoping_deliveries.campaign_id')
        .select(['scoping_deliveries.person_ref', 'scoping_deliveries.channel', 'scoping_deliveries.status', 'scoping_deliveries.receipt', 'scoping_deliveries.receipt_at', 'scoping_deliveries.at', 'scoping_deliveries.message_id', 'scoping_deliveries.receipt_via', 'scoping_campaigns.finished_at'])
        .select((eb) => eb.exists(eb.selectFrom('scoping_sms_parts').select('scoping_sms_parts.id').whereRef('scoping_sms_parts.delivery_id', '=', 'scoping_deliveries.id')).as('tracked'))
        .where('scoping_deliveries.run_id', '=', run.id).where('scoping_campaigns.dry_run', '=', false)
        .orderBy('scoping_deliveries.at').orderBy('scoping_deliveries.id').execute();
      type Outcome = (typeof deliveries)[number];
      const electronic = new Map<string, Outcome>();
      const fallback = new Map<string, string>();
      for (const d of deliveries) {
        if ((d.channel === 'email' || d.channel === 'sms') && d.status !== 'to_sms') {
          const key = `${d.person_ref}\u0000${d.channel}`;
          if (electronic.get(key)?.status !== 'sent') electronic.set(key, d);
        } else fallback.set(d.person_ref, d.status);
      }
      const channels: Record<CampaignChannel, ChannelFollowUp> = { email: emptyFollowUp(), sms: emptyFollowUp() };
      // The listener waits this long for a receipt after an SMS left; past it, the SMS has none.
      const window = ctx.services.config.smpp?.receiptMaxMs ?? 72 * 3_600_000;
      const now = ctx.services.now().getTime();
      const awaiting: { personRef: string; sentAt: string; until: string }[] = [];
      for (const [key, d] of electronic) {
        const c = channels[key.slice(key.indexOf('\u0000') + 1) as CampaignChannel];
        if (d.status === 'sent') c.sent++; else if (d.status === 'failed') c.failed++; else if (d.status === 'started') c.uncertain++;
        if (d.receipt === 'delivered') c.delivered++; else if (d.receipt === 'undelivered') c.undelivered++;
        if (d.receipt && d.receipt_via === 'listener' && d.receipt_at && d.finished_at && new Date(d.receipt_at) > new Date(d.finished_at)) c.late++;
        if (d.channel === 'sms' && d.status === 'sent' && d.message_id && !d.receipt) {
          if (!d.tracked) { c.untracked++; continue; }
          const sent = new Date(d.at).getTime();
          if (sent + window > now) { c.awaiting++; awaiting.push({ personRef: d.person_ref, sentAt: new Date(sent).toISOString(), until: new Date(sent + window).toISOString() }); } else c.noReceipt++;
        }
      }
      // Persons to reach on a channel: what the latest finished campaign on it counted.
      for (const name of CAMPAIGN_CHANNELS) {
        const latest = campaigns.find((k) => k.status === 'done' && k.channels.includes(name));
        if (!latest) continue;
        const c = channels[name];
        c.planned = Number(latest.counts[`${name}_eligible`] ?? 0);
        c.pending = Math.max(0, c.planned - c.sent - c.failed - c.uncertain);
      }
      const letters = { to_letter: 0, to_sms: 0, unreachable: 0 };
      for (const [person, status] of fallback) if (status in letters && ![...CAMPAIGN_CHANNELS].some((c) => electronic.get(`${person}\u0000${c}`)?.status === 'sent')) letters[status as keyof typeof letters]++;
      const persons = Number((run.figures as { persons?: number } | null)?.persons ?? 0);
      awaiting.sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
      return {
        persons, channels, letters, listener: await receiptListenerView(ctx, run.organisation_id, channels.sms, awaiting[0]?.sentAt ?? null),
        // Person references only (P000123): which SMS still await a receipt, the oldest first.
        awaitingReceipts: { total: awaiting.length, items: awaiting.slice(0, AWAITING_SHOWN) },
        smsAvailable: !!ctx.services.config.smpp, emailAvailable: !!ctx.services.mailer,
        campaigns: campaigns.map((c) => ({ id: c.id, dryRun: c.dry_run, status: c.status, channels: c.channels, includeMinors: c.include_minors, counts: c.counts, perMinute: c.per_minute, error: c.error, createdByName: c.created_by_name, createdAt: new Date(c.created_at).toISOString(), finishedAt: c.finished_at ? new Date(c.finished_at).toISOString() : null })),
      };
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/letters.pdf`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'Courriers aux personnes sans message envoyé (PDF, lecture tracée)', produces: 'application/pdf',
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      const results = await openResults(ctx.services, run);
      const sent = new Set((await ctx.services.db.selectFrom('scoping_deliveries').select('person_ref').where('run_id', '=', run.id).where('status', '=', 'sent').execute()).map((d) => d.person_ref));
      const pack = await packOptions(ctx.services, org.id);
      // Written segment by segment to a private scratch file, audited with its count, then streamed:
      // an incomplete PDF is never sent, and no list of persons is held in memory.
      return withScratchDir(ctx.services, 'letters', async (dir) => {
        const file = path.join(dir, 'courriers.pdf');
        const letters = await writeLettersPdf(letterPersons(results.persons(), sent), file, pack, run.notification_date);
        await ctx.auditRead('scoping_run', run.id, { what: 'letters', persons: letters });
        const stream = createReadStream(file);
        const closed = once(stream, 'close');
        download(ctx, 'application/pdf', `courriers-${run.id.slice(0, 8)}.pdf`, stream);
        await closed;
        return ctx.reply;
      });
    },
  }),
  defineRoute({
    method: 'GET', path: `${RUN}/sms.csv`, access: { permission: 'dataset.read' }, tag: 'scoping', summary: 'SMS à envoyer (CSV, lecture tracée)', produces: 'text/csv',
    handler: async (ctx) => {
      const { org, run } = await runRow(ctx);
      const results = await openResults(ctx.services, run);
      const pack = await packOptions(ctx.services, org.id);
      // The count of persons with a mobile is in the run's figures: the read is audited before any row leaves.
      const persons = Number((run.figures as { reachable?: { sms?: number } } | null)?.reachable?.sms ?? 0);
      await ctx.auditRead('scoping_run', run.id, { what: 'sms', persons });
      return download(ctx, 'text/csv; charset=utf-8', `sms-${run.id.slice(0, 8)}.csv`, Readable.from(smsCsvLines(results.persons(), pack)));
    },
  }),
];
