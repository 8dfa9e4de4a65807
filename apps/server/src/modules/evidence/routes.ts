// Evidence of an incident: uploaded once, never modified, hashed so its integrity can be shown later
// (to the police, the insurer, a court), every download audited.
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { readStreamedUpload } from '../../platform/upload.ts';
import { getIncidentRow } from '../incidents/service.ts';
import { discardEvidenceFiles, evidenceRow, evidenceView, openEvidenceDownload, recordEvidence, storeEvidenceFile } from './service.ts';

const INC = '/api/v1/organisations/:orgId/incidents/:incidentId';

export const evidenceRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${INC}/evidence`, access: { permission: 'evidence.read' }, tag: 'evidence', summary: "Pièces versées au dossier de l'incident",
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const rows = await ctx.services.db.selectFrom('evidence').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).orderBy('uploaded_at').execute();
      return rows.map(evidenceView);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/evidence`, access: { permission: 'evidence.write' }, tag: 'evidence', summary: 'Verser une pièce (multipart/form-data : file, description)',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      // Streamed from the request into the sealed file: a multi-gigabyte export never sits in memory.
      const upload = await readStreamedUpload(
        ctx.request, { maxBytes: ctx.services.config.maxEvidenceBytes, setting: 'REMPART_MAX_EVIDENCE_MB' },
        (file) => storeEvidenceFile(ctx.services, org.id, file.stream),
        (stored) => discardEvidenceFiles(ctx.services, [stored]),
      );
      const [row] = await recordEvidence(
        ctx.services,
        { orgId: org.id, incidentId: incident.id, uploadedBy: session.userId, uploadedByName: session.userName },
        [{ ...upload.stored, name: upload.name, mediaType: upload.type, description: upload.fields.description ?? '' }],
        (trx, piece) => ctx.audit(trx, { action: 'evidence.add', objectType: 'evidence', objectId: piece.id, outcome: 'success', details: { incidentId: incident.id, sha256: piece.sha256, size: piece.size } }),
      );
      ctx.reply.code(201);
      return evidenceView(row!);
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/evidence/:evidenceId`, access: { permission: 'evidence.read' }, tag: 'evidence', summary: 'Télécharger une pièce (intégrité vérifiée)', produces: 'application/json-download',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const row = await evidenceRow(ctx.services, org.id, incident.id, ctx.params.evidenceId);
      // One pass: refused (409) when its start is unreadable, cut short when an alteration is found later.
      const stream = await openEvidenceDownload(ctx.services, row);
      await ctx.auditRead('evidence', row.id, { sha256: row.sha256 });
      ctx.reply
        .header('content-type', row.media_type)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(row.name)}"; filename*=UTF-8''${encodeURIComponent(row.name)}`)
        .header('x-content-sha256', row.sha256)
        .header('content-length', String(row.size))
        .header('cache-control', 'no-store');
      return ctx.reply.send(stream);
    },
  }),
];
