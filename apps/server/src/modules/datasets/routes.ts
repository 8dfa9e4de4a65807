// Leaked-record extracts inside an incident (issue 4's platform part): import with a retention date,
// list, preview the first lines (an audited read), purge for good.
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { readSingleUpload } from '../../platform/upload.ts';
import { isUuid } from '../organisations/access.ts';
import { getIncidentRow } from '../incidents/service.ts';
import { datasetView, importDataset, MAX_RETENTION_DAYS, previewText, purgeDataset, readDataset } from './service.ts';
import { say } from '../../platform/say.ts';

const INC = '/api/v1/organisations/:orgId/incidents/:incidentId';

export const datasetRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${INC}/datasets`, access: { permission: 'dataset.read' }, tag: 'datasets', summary: 'Extraits de données volées importés',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const rows = await ctx.services.db.selectFrom('leaked_datasets').selectAll().where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).orderBy('created_at').execute();
      return rows.map(datasetView);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/datasets`, access: { permission: 'dataset.write' }, tag: 'datasets',
    summary: `Importer un extrait (multipart/form-data : file, retentionDays de 1 à ${MAX_RETENTION_DAYS}, 90 par défaut)`,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const { file, fields } = await readSingleUpload(ctx.request, ctx.services.config.maxUploadBytes);
      const retention = z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(90).safeParse(fields.retentionDays || undefined);
      if (!retention.success) {
        throw errors.validation([{ path: 'retentionDays', message: `Durée de conservation : un nombre de jours entre 1 et ${MAX_RETENTION_DAYS}.` }]);
      }
      const view = await importDataset(ctx.services, {
        organisationId: org.id, incidentId: incident.id, name: file.name, data: file.data, retentionDays: retention.data,
        actor: { id: session.userId, name: session.userName, email: session.userEmail }, ip: ctx.ip,
      });
      ctx.reply.code(201);
      return view;
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/datasets/:datasetId/preview`, access: { permission: 'dataset.read' }, tag: 'datasets', summary: 'Premières lignes de l’extrait (lecture tracée)',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const id = ctx.params.datasetId;
      if (!isUuid(id)) throw errors.notFound('Extrait');
      const data = await readDataset(ctx.services, org.id, id, incident.id);
      await ctx.auditRead('leaked_dataset', id, { what: 'preview' });
      return previewText(data);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/datasets/:datasetId/purge`, access: { permission: 'dataset.write' }, tag: 'datasets', summary: "Purger l'extrait (clé détruite, fichier supprimé)",
    body: z.object({ reason: z.string().trim().min(5, say('Indiquez la raison de la purge.', 'Give the reason for the purge.')).max(500) }),
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const id = ctx.params.datasetId;
      if (!isUuid(id)) throw errors.notFound('Extrait');
      return purgeDataset(ctx.services, { organisationId: org.id, id, reason: ctx.body.reason, actor: { id: session.userId, email: session.userEmail }, ip: ctx.ip });
    },
  }),
];
