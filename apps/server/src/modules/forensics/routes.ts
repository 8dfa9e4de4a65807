// Audit-log forensics in an incident: import logs (upload goes through the evidence route, or the
// operator's folder here), preview a mapping, scan as a job, read findings (audited), act on them.
import { createHash } from 'node:crypto';
import { defineRoute, type RequestContext, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { withScratchDir } from '../../platform/scratch.ts';
import { createReadStream } from 'node:fs';
import { addEvidence, evidenceRow, evidenceView } from '../evidence/service.ts';
import { addTask, appendJournal, getIncidentRow, taskView } from '../incidents/service.ts';
import { cancelJob, enqueueJob } from '../jobs/queue.ts';
import { isUuid } from '../organisations/access.ts';
import { FORENSICS_SCAN } from './job.ts';
import { assertNameFree, checkMappingText, chosenMapping, listMappings, mappingRow, mappingView, savedMappingSchema } from './mappings.ts';
import { MAPPING_PRESETS, PRESET_IDS } from './presets.ts';
import {
  actionSchema, dayBound, evidenceNames, importSchema, journalTextFor, listImportFolder, mappingIssueText, openFindings, previewFile, previewSchema, scanErrorAad,
  checkImportFile, PREVIEW_BYTES, resolveMapping, scanInputSchema, scanRows, scanView, tasksFor, writeInput,
} from './service.ts';

const ORG = '/api/v1/organisations/:orgId';
const INC = `${ORG}/incidents/:incidentId`;

/** The scan named in the path, inside the incident and organisation of the path, or 404. */
async function scanRow(ctx: RequestContext) {
  const org = ctx.requireOrg();
  const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
  if (!isUuid(ctx.params.scanId)) throw errors.notFound('Analyse');
  const [row] = await scanRows(ctx.services.db, org.id, incident.id, ctx.params.scanId);
  if (!row) throw errors.notFound('Analyse');
  return { org, incident, row };
}

export const forensicsRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${ORG}/forensics/presets`, access: { permission: 'forensics.read' }, tag: 'forensics', summary: 'Modèles de correspondance proposés',
    handler: async () => PRESET_IDS.map((id) => ({ id, label: MAPPING_PRESETS[id].label, labelEn: MAPPING_PRESETS[id].labelEn, text: MAPPING_PRESETS[id].text })),
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/forensics/mappings`, access: { permission: 'forensics.read' }, tag: 'forensics', summary: 'Correspondances enregistrées par l’organisation',
    handler: async (ctx) => listMappings(ctx.services.db, ctx.requireOrg().id),
  }),
  defineRoute({
    method: 'POST', path: `${ORG}/forensics/mappings`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Enregistrer une correspondance (vérifiée comme pour l’aperçu)',
    body: savedMappingSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      checkMappingText(ctx.body.text);
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        await assertNameFree(trx, org.id, ctx.body.name);
        const created = await trx.insertInto('forensic_mappings').values({
          organisation_id: org.id, name: ctx.body.name, mapping_text: ctx.body.text,
          created_by: session.userId, created_by_name: session.userName, updated_by: session.userId, updated_by_name: session.userName,
        }).returningAll().executeTakeFirstOrThrow();
        await ctx.audit(trx, { action: 'forensics.mapping.create', objectType: 'forensic_mapping', objectId: created.id, outcome: 'success', details: { name: created.name } });
        return created;
      });
      ctx.reply.code(201);
      return mappingView(row);
    },
  }),
  defineRoute({
    method: 'PUT', path: `${ORG}/forensics/mappings/:mappingId`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Modifier une correspondance enregistrée (les analyses passées gardent la leur)',
    body: savedMappingSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const before = await mappingRow(ctx.services.db, org.id, ctx.params.mappingId);
      checkMappingText(ctx.body.text);
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        await assertNameFree(trx, org.id, ctx.body.name, before.id);
        const updated = await trx.updateTable('forensic_mappings').set({
          name: ctx.body.name, mapping_text: ctx.body.text, updated_by: session.userId, updated_by_name: session.userName, updated_at: ctx.services.now(),
        }).where('organisation_id', '=', org.id).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        await ctx.audit(trx, { action: 'forensics.mapping.update', objectType: 'forensic_mapping', objectId: before.id, outcome: 'success', details: { name: updated.name, ...(before.name !== updated.name && { previousName: before.name }), textChanged: before.mapping_text !== updated.mapping_text } });
        return updated;
      });
      return mappingView(row);
    },
  }),
  defineRoute({
    method: 'DELETE', path: `${ORG}/forensics/mappings/:mappingId`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Supprimer une correspondance enregistrée (les analyses passées gardent la leur)',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const row = await mappingRow(ctx.services.db, org.id, ctx.params.mappingId);
      await ctx.services.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('forensic_mappings').where('organisation_id', '=', org.id).where('id', '=', row.id).execute();
        await ctx.audit(trx, { action: 'forensics.mapping.delete', objectType: 'forensic_mapping', objectId: row.id, outcome: 'success', details: { name: row.name } });
      });
      return undefined;
    },
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/forensics/import-folder`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: "Fichiers du dossier d'import configuré par l'exploitant",
    handler: async (ctx) => listImportFolder(ctx.services, ctx.requireOrg().id),
  }),
  defineRoute({
    method: 'POST', path: `${INC}/forensics/import-folder`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: "Verser au dossier des journaux pris dans le dossier d'import (tout ou rien)",
    body: importSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      // Every path is checked before anything is stored, and the pieces are recorded together: one bad file, nothing imported.
      const read = [];
      for (const relative of [...new Set(ctx.body.files)]) read.push({ relative, ...(await checkImportFile(ctx.services, org.id, relative)) });
      const rows = await addEvidence(
        ctx.services,
        { orgId: org.id, incidentId: incident.id, uploadedBy: session.userId, uploadedByName: session.userName },
        read.map((f) => ({ name: f.name, mediaType: 'application/octet-stream', data: createReadStream(f.file), description: `Journal importé du dossier du serveur : ${f.relative}` })),
        (trx, piece) => ctx.audit(trx, { action: 'evidence.add', objectType: 'evidence', objectId: piece.id, outcome: 'success', details: { incidentId: incident.id, sha256: piece.sha256, size: piece.size, source: 'import-folder' } }),
      );
      ctx.reply.code(201);
      return rows.map(evidenceView);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/forensics/preview`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Aperçu des premiers événements lus avec une correspondance',
    body: previewSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const choice = await chosenMapping(ctx.services.db, org.id, ctx.body);
      const row = await evidenceRow(ctx.services, org.id, incident.id, ctx.body.evidenceId);
      const preview = await withScratchDir(ctx.services, 'forensics', async (dir) => previewFile(await writeInput(ctx.services, dir, 0, row, { maxBytes: PREVIEW_BYTES }), choice));
      // The parsed events name agents and addresses.
      await ctx.auditRead('evidence_preview', row.id, { events: preview.events.length, rejected: preview.rejected.length });
      return { file: row.name, ...preview };
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/forensics/scans`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Lancer une analyse des journaux (tâche de fond)',
    body: scanInputSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const choice = await chosenMapping(ctx.services.db, org.id, ctx.body);
      const resolved = resolveMapping(choice);
      if (!resolved.ok) throw errors.validation(resolved.issues.map((i) => ({ path: ctx.body.mappingId ? 'mappingId' : 'mapping', message: mappingIssueText(i) })));
      const ids = [...new Set(ctx.body.evidenceIds)];
      const names = await evidenceNames(ctx.services.db, org.id, incident.id);
      const unknown = ids.filter((id) => !names.has(id));
      if (unknown.length > 0) throw errors.validation([{ path: 'evidenceIds', message: 'Pièce inconnue dans cet incident.' }]);
      const since = dayBound(ctx.body.since, false);
      const until = dayBound(ctx.body.until, true);
      const scanId = await ctx.services.db.transaction().execute(async (trx) => {
        const scan = await trx.insertInto('forensic_scans').values({
          organisation_id: org.id, incident_id: incident.id, input_evidence_ids: JSON.stringify(ids), mapping_preset: choice.preset ?? null,
          mapping_text: choice.preset ? null : choice.mapping!, mapping_name: choice.name, since, until, created_by: session.userId, created_by_name: session.userName,
        }).returning('id').executeTakeFirstOrThrow();
        const job = await enqueueJob(trx, { organisationId: org.id, kind: FORENSICS_SCAN, payload: { scanId: scan.id } });
        await trx.updateTable('forensic_scans').set({ job_id: job }).where('id', '=', scan.id).execute();
        await ctx.audit(trx, { action: 'forensics.scan.start', objectType: 'forensic_scan', objectId: scan.id, outcome: 'success', details: { incidentId: incident.id, inputs: ids.length, ...(ctx.body.mappingId && { mappingId: ctx.body.mappingId }) } });
        return scan.id;
      });
      ctx.reply.code(202);
      const [row] = await scanRows(ctx.services.db, org.id, incident.id, scanId);
      return scanView(row!, names);
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/forensics/scans`, access: { permission: 'forensics.read' }, tag: 'forensics', summary: 'Analyses de journaux de l’incident (état, progression, comptages)',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const names = await evidenceNames(ctx.services.db, org.id, incident.id);
      return (await scanRows(ctx.services.db, org.id, incident.id)).map((row) => scanView(row, names));
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/forensics/scans/:scanId`, access: { permission: 'forensics.read' }, tag: 'forensics', summary: 'Comptes signalés et constats d’une analyse (lecture tracée)',
    handler: async (ctx) => {
      const { org, incident, row } = await scanRow(ctx);
      const view = scanView(row, await evidenceNames(ctx.services.db, org.id, incident.id));
      if (!row.findings_enc) {
        // The sealed reason of a failure can quote a log line: opened here only, and the read is traced.
        const errorDetail = row.error_enc ? ctx.services.keys.decrypt(row.error_enc, scanErrorAad(org.id, row.id)) : null;
        if (errorDetail) await ctx.auditRead('forensic_scan_error', row.id);
        return { ...view, errorDetail, accounts: [], series: {}, firstRejected: [] };
      }
      const findings = openFindings(ctx.services, org.id, row.id, row.findings_enc);
      await ctx.auditRead('forensic_scan', row.id, { accounts: findings.accounts.length });
      return { ...view, ...findings };
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/forensics/scans/:scanId/cancel`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Annuler une analyse en cours',
    handler: async (ctx) => {
      const { org, row } = await scanRow(ctx);
      const cancelled = row.job_id ? await cancelJob(ctx.services.db, org.id, row.job_id) : false;
      if (cancelled) {
        await ctx.services.db.transaction().execute((trx) => ctx.audit(trx, { action: 'forensics.scan.cancel', objectType: 'forensic_scan', objectId: row.id, outcome: 'success' }));
      }
      return { cancelled };
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/forensics/scans/:scanId/actions`, access: { permission: 'forensics.write' }, tag: 'forensics', summary: 'Tirer d’un compte signalé des tâches et une entrée de journal (sans doublon)',
    body: actionSchema,
    handler: async (ctx) => {
      const session = ctx.requireSession();
      const { org, incident, row } = await scanRow(ctx);
      if (!row.findings_enc) throw errors.badRequest('scan_not_done', 'L’analyse n’est pas terminée : attendez ses résultats.');
      const findings = openFindings(ctx.services, org.id, row.id, row.findings_enc);
      const account = findings.accounts.find((a) => a.account === ctx.body.account);
      if (!account) throw errors.notFound('Compte signalé');
      const view = scanView(row, new Map());
      const accountHash = ctx.services.keys.tokenHash(`forensics-account:${row.id}:${account.account}`);
      const keyBase = `forensics:${row.id}:${createHash('sha256').update(accountHash).digest('hex').slice(0, 16)}`;
      const now = ctx.services.now();
      const outcome = await ctx.services.db.transaction().execute(async (trx) => {
        // The primary key is the lock: a second click waits for the first, then finds the row and adds nothing.
        const claim = async (kind: 'tasks' | 'journal') => (await trx.insertInto('forensic_actions')
          .values({ scan_id: row.id, organisation_id: org.id, account_hash: accountHash, kind, created_by: session.userId })
          .onConflict((oc) => oc.doNothing()).returning('kind').executeTakeFirst()) !== undefined;
        const created: ReturnType<typeof taskView>[] = [];
        let journal = false;
        if (ctx.body.tasks && (await claim('tasks'))) {
          for (const t of tasksFor(account, now)) {
            const task = await addTask(trx, org.id, incident, { title: t.title, description: t.description, ownerRole: t.ownerRole, dueAt: t.dueAt, key: `${keyBase}:${t.kind}` });
            await ctx.audit(trx, { action: 'task.create', objectType: 'task', objectId: task.id, outcome: 'success', details: { incidentId: incident.id, scanId: row.id } });
            created.push(taskView(task));
          }
        }
        if (ctx.body.journal && (await claim('journal'))) {
          const entry = await appendJournal(trx, org.id, incident.id, { id: session.userId, name: session.userName }, { kind: 'fact', text: journalTextFor(account, view), occurredAt: now });
          await ctx.audit(trx, { action: 'journal.append', objectType: 'journal_entry', objectId: entry.id, outcome: 'success', details: { incidentId: incident.id, kind: 'fact', scanId: row.id } });
          journal = true;
        }
        return { created, journal };
      });
      // Tasks already made for this account (this click or an earlier one), for the button's state.
      const existing = await ctx.services.db.selectFrom('tasks').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id)
        .where('key', 'like', `${keyBase}:%`).orderBy('created_at').execute();
      return { createdTasks: outcome.created.length, journalCreated: outcome.journal, tasks: existing.map(taskView) };
    },
  }),
];
