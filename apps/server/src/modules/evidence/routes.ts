// Evidence of an incident: uploaded once, never modified, hashed so its integrity can be shown later
// (to the police, the insurer, a court), every download audited.
import { createHash, randomUUID } from 'node:crypto';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { readSingleUpload } from '../../platform/upload.ts';
import { isUuid } from '../organisations/access.ts';
import { openBuffer, sealBuffer } from '../../platform/keys.ts';
import { getIncidentRow } from '../incidents/service.ts';

const INC = '/api/v1/organisations/:orgId/incidents/:incidentId';

function view(row: Record<string, any>) {
  return {
    id: row.id as string,
    name: row.name as string,
    mediaType: row.media_type as string,
    size: Number(row.size),
    sha256: row.sha256 as string,
    description: row.description as string,
    uploadedByName: row.uploaded_by_name as string,
    uploadedAt: new Date(row.uploaded_at).toISOString(),
  };
}

export const evidenceRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${INC}/evidence`, access: { permission: 'evidence.read' }, tag: 'evidence', summary: "Pièces versées au dossier de l'incident",
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const rows = await ctx.services.db.selectFrom('evidence').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).orderBy('uploaded_at').execute();
      return rows.map(view);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/evidence`, access: { permission: 'evidence.write' }, tag: 'evidence', summary: 'Verser une pièce (multipart/form-data : file, description)',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const { file, fields } = await readSingleUpload(ctx.request, ctx.services.config.maxUploadBytes);
      const description = fields.description ?? '';
      const id = randomUUID();
      const key = `evidence/${org.id}/${id}`;
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      await ctx.services.files.put(key, sealBuffer(ctx.services.keys.fileKey, file.data, `evidence:${org.id}:${id}`));
      try {
        const row = await ctx.services.db.transaction().execute(async (trx) => {
          const created = await trx.insertInto('evidence').values({
            id, organisation_id: org.id, incident_id: incident.id, name: file.name, media_type: file.type, size: file.data.length,
            sha256, storage_key: key, description, uploaded_by: session.userId, uploaded_by_name: session.userName, uploaded_at: ctx.services.now(),
          }).returningAll().executeTakeFirstOrThrow();
          await ctx.audit(trx, { action: 'evidence.add', objectType: 'evidence', objectId: id, outcome: 'success', details: { incidentId: incident.id, sha256, size: file.data.length } });
          return created;
        });
        ctx.reply.code(201);
        return view(row);
      } catch (error) {
        // No row, no file: a failed upload leaves nothing behind.
        await ctx.services.files.remove(key);
        throw error;
      }
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/evidence/:evidenceId`, access: { permission: 'evidence.read' }, tag: 'evidence', summary: 'Télécharger une pièce (intégrité vérifiée)', produces: 'application/json-download',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const evidenceId = ctx.params.evidenceId;
      if (!isUuid(evidenceId)) throw errors.notFound('Pièce');
      const row = await ctx.services.db.selectFrom('evidence').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).where('id', '=', evidenceId).executeTakeFirst();
      if (!row) throw errors.notFound('Pièce');
      let data: Buffer;
      try {
        data = openBuffer(ctx.services.keys.fileKey, await ctx.services.files.get(row.storage_key), `evidence:${org.id}:${row.id}`);
      } catch {
        throw new AppError('evidence_unreadable', 409, 'Pièce illisible : le fichier a été altéré ou supprimé du stockage.');
      }
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== row.sha256) throw new AppError('evidence_corrupted', 409, "Pièce altérée : son empreinte ne correspond plus à celle enregistrée au versement.");
      await ctx.auditRead('evidence', row.id, { sha256: row.sha256 });
      ctx.reply
        .header('content-type', row.media_type)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(row.name)}"; filename*=UTF-8''${encodeURIComponent(row.name)}`)
        .header('x-content-sha256', row.sha256)
        .header('cache-control', 'no-store');
      return ctx.reply.send(data);
    },
  }),
];
