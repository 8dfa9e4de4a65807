// The CNIL notification dossier, the breach register and the public notice of an incident.
import {
  type DossierChange, cnilDossierJson, cnilDossierSchema, dossierCompleteness, dossierDiff, draftPublicNotice, mergeDossier, prefillDossier,
  registerCsv, renderCnilDossierPdf, renderNoticePdf, renderRegisterPdf,
} from '@rempart/documents';
import { json, type Db } from '@rempart/db';
import { z } from 'zod';
import { defineRoute, type RequestContext, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { getOrganisation } from '../organisations/service.ts';
import { noticeSchema, registerEntrySchema, submissionSchema } from './schema.ts';
import { getIncident, getIncidentRow, notificationTimes, type IncidentView } from './service.ts';

const ORG = '/api/v1/organisations/:orgId';
const INC = `${ORG}/incidents/:incidentId`;

async function dossierState(db: Db, orgId: string, incident: IncidentView, now: Date) {
  const row = await db.selectFrom('cnil_dossiers').select('dossier').where('organisation_id', '=', orgId).where('incident_id', '=', incident.id).executeTakeFirst();
  // What the incident already says fills the blanks; what the DPO saved always wins.
  const organisation = await getOrganisation(db, orgId);
  const dossier = mergeDossier(prefillDossier(incident, organisation), cnilDossierSchema.parse(row?.dossier ?? {}));
  const submissions = await db.selectFrom('cnil_submissions').selectAll()
    .where('organisation_id', '=', orgId).where('incident_id', '=', incident.id).orderBy('submitted_at').execute();
  const notifiedAt = submissions[0]?.submitted_at ?? null;
  const completeness = dossierCompleteness(dossier, { awareAt: new Date(incident.awareAt), notifiedAt, now });
  const last = submissions.at(-1);
  return {
    dossier,
    completeness,
    notifiedAt,
    lastChanges: last?.kind === 'complementary' ? (last.changes as DossierChange[] | null) ?? undefined : undefined,
    submissions: submissions.map((s) => ({ id: s.id, kind: s.kind, submittedAt: s.submitted_at.toISOString(), submittedByName: s.submitted_by_name, changes: s.changes })),
  };
}

/** What the notice can state as fact rather than « à confirmer »: read from the incident's own record. */
async function noticeFacts(db: Db, orgId: string, incidentId: string, notifiedAt: Date | null) {
  const done = await db.selectFrom('tasks').select('key').where('organisation_id', '=', orgId).where('incident_id', '=', incidentId).where('status', '=', 'done').execute();
  const keys = new Set(done.map((t) => t.key));
  return { cnilNotifiedAt: notifiedAt, complaintFiled: keys.has('deposer_plainte'), csirtInformed: keys.has('signaler_csirt_anssi') };
}

const audienceQuery = z.object({ audience: z.enum(['public', 'persons']).default('public') });

function download(ctx: RequestContext, type: string, filename: string, content: Buffer | string) {
  ctx.reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store');
  return ctx.reply.send(content);
}

async function documentInputs(ctx: RequestContext) {
  const org = ctx.requireOrg();
  const now = ctx.services.now();
  const incident = await getIncident(ctx.services.db, org.id, ctx.params.incidentId, now);
  const organisation = await getOrganisation(ctx.services.db, org.id);
  const state = await dossierState(ctx.services.db, org.id, incident, now);
  return { org, now, incident, organisation, ...state };
}

export const notificationRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${INC}/cnil`, access: { permission: 'cnil.read' }, tag: 'notification', summary: 'Dossier de notification CNIL et complétude',
    handler: async (ctx) => {
      const { incident, dossier, completeness, submissions, notifiedAt } = await documentInputs(ctx);
      await ctx.auditRead('cnil_dossier', incident.id);
      return { dossier, completeness, submissions, notifiedAt: notifiedAt?.toISOString() ?? null };
    },
  }),
  defineRoute({
    method: 'PUT', path: `${INC}/cnil`, access: { permission: 'cnil.write' }, tag: 'notification', summary: 'Enregistrer le dossier CNIL (brouillon)',
    body: cnilDossierSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.insertInto('cnil_dossiers')
          .values({ incident_id: incident.id, organisation_id: org.id, dossier: json(ctx.body), updated_by: session.userId, updated_at: ctx.services.now() })
          .onConflict((oc) => oc.column('incident_id').doUpdateSet({ dossier: json(ctx.body), updated_by: session.userId, updated_at: ctx.services.now() }))
          .execute();
        await ctx.audit(trx, { action: 'cnil.save', objectType: 'cnil_dossier', objectId: incident.id, outcome: 'success' });
      });
      const view = await getIncident(ctx.services.db, org.id, incident.id, ctx.services.now());
      return dossierState(ctx.services.db, org.id, view, ctx.services.now());
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/cnil/submissions`, access: { permission: 'cnil.write' }, tag: 'notification', summary: 'Enregistrer une notification faite à la CNIL (initiale, complémentaire, complète)',
    body: submissionSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const now = ctx.services.now();
      const incident = await getIncident(ctx.services.db, org.id, ctx.params.incidentId, now);
      const state = await dossierState(ctx.services.db, org.id, incident, now);
      const first = state.submissions.length === 0;
      if (first && ctx.body.kind === 'complementary') {
        throw errors.badRequest('initial_required', 'Une notification complémentaire suit une notification initiale : enregistrez d’abord celle-ci.');
      }
      if (!first && ctx.body.kind === 'initial') {
        throw errors.conflict('already_notified', 'La notification initiale est déjà enregistrée : envoyez une notification complémentaire.');
      }
      const completenessAtSubmit = dossierCompleteness(state.dossier, { awareAt: new Date(incident.awareAt), notifiedAt: first ? now : state.notifiedAt, now });
      const missing = completenessAtSubmit.fields.filter((f) => f.required && !f.filled);
      if (ctx.body.kind !== 'initial' || missing.some((f) => f.path === 'delayReasons')) {
        // An initial notification may be partial (art. 33(4)), but never late without its reasons.
        const blocking = ctx.body.kind === 'initial' ? missing.filter((f) => f.path === 'delayReasons') : missing;
        if (blocking.length) throw errors.validation(blocking.map((f) => ({ path: f.path, message: `${f.label} : à compléter.` })), 'Le dossier est incomplet pour ce type de notification.');
      }
      const previous = await ctx.services.db.selectFrom('cnil_submissions').select('snapshot')
        .where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).orderBy('submitted_at', 'desc').executeTakeFirst();
      const changes = previous ? dossierDiff(cnilDossierSchema.parse(previous.snapshot), state.dossier) : null;
      const created = await ctx.services.db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('cnil_submissions').values({
          organisation_id: org.id, incident_id: incident.id, kind: ctx.body.kind, snapshot: json(state.dossier),
          changes: changes ? json(changes) : null, submitted_by: session.userId, submitted_by_name: session.userName, submitted_at: now,
        }).returning(['id', 'submitted_at']).executeTakeFirstOrThrow();
        await trx.insertInto('journal_entries').values({
          organisation_id: org.id, incident_id: incident.id, kind: 'communication', author_id: session.userId, author_name: session.userName, occurred_at: now,
          text: `Notification ${ctx.body.kind === 'initial' ? 'initiale' : ctx.body.kind === 'complementary' ? 'complémentaire' : 'complète'} à la CNIL enregistrée.`,
        }).execute();
        await ctx.audit(trx, { action: 'cnil.submit', objectType: 'cnil_dossier', objectId: incident.id, outcome: 'success', details: { kind: ctx.body.kind } });
        return row;
      });
      ctx.reply.code(201);
      return { id: created.id, kind: ctx.body.kind, submittedAt: created.submitted_at.toISOString(), submittedByName: session.userName, changes };
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/cnil.pdf`, access: { permission: 'cnil.read' }, tag: 'notification', summary: 'Dossier CNIL en PDF', produces: 'application/pdf',
    handler: async (ctx) => {
      const input = await documentInputs(ctx);
      const pdf = await renderCnilDossierPdf({
        dossier: input.dossier, organisation: input.organisation, incident: input.incident, completeness: input.completeness, generatedAt: input.now,
        notifiedAt: input.notifiedAt ?? undefined, changes: input.lastChanges,
      });
      await ctx.auditRead('cnil_dossier', input.incident.id, { format: 'pdf' });
      return download(ctx, 'application/pdf', `dossier-cnil-${input.incident.reference}.pdf`, pdf);
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/cnil.json`, access: { permission: 'cnil.read' }, tag: 'notification', summary: 'Dossier CNIL en JSON', produces: 'application/json-download',
    handler: async (ctx) => {
      const input = await documentInputs(ctx);
      const content = cnilDossierJson({ dossier: input.dossier, organisation: input.organisation, incident: input.incident, completeness: input.completeness, generatedAt: input.now });
      await ctx.auditRead('cnil_dossier', input.incident.id, { format: 'json' });
      return download(ctx, 'application/json', `dossier-cnil-${input.incident.reference}.json`, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/register-entry`, access: { permission: 'register.read' }, tag: 'notification', summary: 'Entrée du registre des violations',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const row = await ctx.services.db.selectFrom('register_entries').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).executeTakeFirst();
      const submitted = await ctx.services.db.selectFrom('cnil_submissions').select('id').where('incident_id', '=', incident.id).executeTakeFirst();
      return row
        ? { facts: row.facts, effects: row.effects, remedialActions: row.remedial_actions, notified: row.notified, reasonNotNotified: row.reason_not_notified, saved: true }
        : { facts: incident.detected_how, effects: '', remedialActions: '', notified: !!submitted, reasonNotNotified: null, saved: false };
    },
  }),
  defineRoute({
    method: 'PUT', path: `${INC}/register-entry`, access: { permission: 'register.write' }, tag: 'notification', summary: 'Tenir le registre des violations (art. 33(5))',
    body: registerEntrySchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const values = {
        facts: ctx.body.facts, effects: ctx.body.effects, remedial_actions: ctx.body.remedialActions, notified: ctx.body.notified,
        reason_not_notified: ctx.body.notified ? null : ctx.body.reasonNotNotified ?? null, updated_at: ctx.services.now(),
      };
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.insertInto('register_entries').values({ incident_id: incident.id, organisation_id: org.id, ...values })
          .onConflict((oc) => oc.column('incident_id').doUpdateSet(values)).execute();
        await ctx.audit(trx, { action: 'register.save', objectType: 'register_entry', objectId: incident.id, outcome: 'success' });
      });
      return { ...ctx.body, saved: true };
    },
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/register.csv`, access: { permission: 'register.read' }, tag: 'notification', summary: 'Registre des violations (CSV)', produces: 'text/csv',
    handler: async (ctx) => {
      const entries = await registerEntries(ctx);
      await ctx.auditRead('register', null, { format: 'csv' });
      return download(ctx, 'text/csv; charset=utf-8', 'registre-violations.csv', registerCsv(entries));
    },
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/register.pdf`, access: { permission: 'register.read' }, tag: 'notification', summary: 'Registre des violations (PDF)', produces: 'application/pdf',
    handler: async (ctx) => {
      const entries = await registerEntries(ctx);
      const organisation = await getOrganisation(ctx.services.db, ctx.requireOrg().id);
      await ctx.auditRead('register', null, { format: 'pdf' });
      return download(ctx, 'application/pdf', 'registre-violations.pdf', await renderRegisterPdf({ organisation, entries, generatedAt: ctx.services.now() }));
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/notice`, access: { permission: 'incident.read' }, tag: 'notification', summary: "Note d'information au public (enregistrée, ou brouillon) ou lettre aux personnes (audience=persons)",
    query: audienceQuery,
    handler: async (ctx) => {
      const input = await documentInputs(ctx);
      const saved = await ctx.services.db.selectFrom('notices').selectAll().where('organisation_id', '=', input.org.id).where('incident_id', '=', input.incident.id).executeTakeFirst();
      if (saved && ctx.query.audience === 'public') return { title: saved.title, body: saved.body, saved: true, updatedAt: saved.updated_at.toISOString() };
      const facts = await noticeFacts(ctx.services.db, input.org.id, input.incident.id, input.notifiedAt);
      return { ...draftPublicNotice({ organisation: input.organisation, incident: input.incident, dossier: input.dossier, facts, audience: ctx.query.audience }), saved: false };
    },
  }),
  defineRoute({
    method: 'PUT', path: `${INC}/notice`, access: { permission: 'notice.write' }, tag: 'notification', summary: "Enregistrer la note d'information",
    body: noticeSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const values = { title: ctx.body.title, body: ctx.body.body, updated_by: session.userId, updated_at: ctx.services.now() };
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.insertInto('notices').values({ incident_id: incident.id, organisation_id: org.id, ...values })
          .onConflict((oc) => oc.column('incident_id').doUpdateSet(values)).execute();
        await ctx.audit(trx, { action: 'notice.save', objectType: 'notice', objectId: incident.id, outcome: 'success' });
      });
      return { ...ctx.body, saved: true, updatedAt: values.updated_at.toISOString() };
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/notice.pdf`, access: { permission: 'incident.read' }, tag: 'notification', summary: "Note d'information (ou lettre aux personnes) en PDF", produces: 'application/pdf',
    query: audienceQuery,
    handler: async (ctx) => {
      const input = await documentInputs(ctx);
      const saved = await ctx.services.db.selectFrom('notices').selectAll().where('organisation_id', '=', input.org.id).where('incident_id', '=', input.incident.id).executeTakeFirst();
      const facts = await noticeFacts(ctx.services.db, input.org.id, input.incident.id, input.notifiedAt);
      const notice = saved && ctx.query.audience === 'public'
        ? { title: saved.title, body: saved.body }
        : draftPublicNotice({ organisation: input.organisation, incident: input.incident, dossier: input.dossier, facts, audience: ctx.query.audience });
      return download(ctx, 'application/pdf', `note-information-${input.incident.reference}.pdf`, await renderNoticePdf({ organisation: input.organisation, notice, generatedAt: input.now }));
    },
  }),
];

async function registerEntries(ctx: RequestContext) {
  const org = ctx.requireOrg();
  const incidents = await ctx.services.db.selectFrom('incidents')
    .leftJoin('register_entries', 'register_entries.incident_id', 'incidents.id')
    .select([
      'incidents.id', 'incidents.reference', 'incidents.title', 'incidents.type', 'incidents.aware_at', 'incidents.started_at', 'incidents.ended_at', 'incidents.personal_data',
      'register_entries.facts', 'register_entries.effects', 'register_entries.remedial_actions', 'register_entries.notified', 'register_entries.reason_not_notified',
    ])
    .where('incidents.organisation_id', '=', org.id)
    .orderBy('incidents.aware_at')
    .execute();
  const notifiedAt = await notificationTimes(ctx.services.db, org.id);
  return incidents.map((i) => ({
    reference: i.reference,
    title: i.title,
    type: i.type,
    awareAt: i.aware_at,
    startedAt: i.started_at,
    endedAt: i.ended_at,
    personalData: i.personal_data,
    facts: i.facts ?? '',
    effects: i.effects ?? '',
    remedialActions: i.remedial_actions ?? '',
    notified: i.notified ?? notifiedAt.has(i.id),
    notifiedAt: notifiedAt.get(i.id) ?? null,
    reasonNotNotified: i.reason_not_notified ?? null,
  }));
}
