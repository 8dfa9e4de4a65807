import { DateTime } from 'luxon';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { isUuid } from '../organisations/access.ts';
import {
  incidentInputSchema, incidentPatchSchema, journalInputSchema, taskInputSchema, taskPatchSchema,
} from './schema.ts';
import {
  addTask, appendJournal, createIncident, getIncident, getIncidentRow, journalView, listIncidents, taskView, updateIncident,
} from './service.ts';

const ORG = '/api/v1/organisations/:orgId';
const INC = `${ORG}/incidents/:incidentId`;

export const incidentRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: `${ORG}/dashboard`, access: { permission: 'organisation.read' }, tag: 'incidents', summary: 'Accueil : incidents ouverts et tâches du jour',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const now = ctx.services.now();
      const openIncidents = await listIncidents(ctx.services.db, org.id, now, { openOnly: true });
      // "Today" is the Paris calendar day, whatever the server's zone.
      const endOfParisDay = DateTime.fromJSDate(now).setZone('Europe/Paris').endOf('day').toJSDate();
      const tasks = await ctx.services.db
        .selectFrom('tasks')
        .innerJoin('incidents', 'incidents.id', 'tasks.incident_id')
        .selectAll('tasks')
        .select(['incidents.title as incident_title', 'incidents.reference as incident_reference'])
        .where('tasks.organisation_id', '=', org.id)
        .where('incidents.status', '!=', 'closed')
        .where('tasks.status', 'in', ['todo', 'in_progress'])
        .where('tasks.due_at', '<=', endOfParisDay)
        .orderBy('tasks.due_at')
        .execute();
      const withIncident = (t: (typeof tasks)[number]) => ({ ...taskView(t), incidentTitle: t.incident_title, incidentReference: t.incident_reference });
      return {
        openIncidents,
        overdueTasks: tasks.filter((t) => t.due_at < now).map(withIncident),
        tasksDueToday: tasks.filter((t) => t.due_at >= now).map(withIncident),
      };
    },
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/incidents`, access: { permission: 'incident.read' }, tag: 'incidents', summary: 'Liste des incidents',
    handler: async (ctx) => listIncidents(ctx.services.db, ctx.requireOrg().id, ctx.services.now()),
  }),
  defineRoute({
    method: 'POST', path: `${ORG}/incidents`, access: { permission: 'incident.write' }, tag: 'incidents', summary: 'Déclarer un incident',
    body: incidentInputSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const id = await ctx.services.db.transaction().execute(async (trx) => {
        const created = await createIncident(trx, org.id, ctx.body, session.userId);
        await trx.insertInto('journal_entries').values({
          organisation_id: org.id, incident_id: created, kind: 'fact', author_id: session.userId, author_name: session.userName,
          occurred_at: new Date(ctx.body.awareAt), text: `Incident déclaré dans Rempart : ${ctx.body.title}.`,
        }).execute();
        await ctx.audit(trx, { action: 'incident.create', objectType: 'incident', objectId: created, outcome: 'success', details: { type: ctx.body.type } });
        return created;
      });
      ctx.reply.code(201);
      return getIncident(ctx.services.db, org.id, id, ctx.services.now());
    },
  }),
  defineRoute({
    method: 'GET', path: INC, access: { permission: 'incident.read' }, tag: 'incidents', summary: "Détail d'un incident",
    handler: async (ctx) => getIncident(ctx.services.db, ctx.requireOrg().id, ctx.params.incidentId, ctx.services.now()),
  }),
  defineRoute({
    method: 'PATCH', path: INC, access: { permission: 'incident.write' }, tag: 'incidents', summary: 'Modifier un incident',
    body: incidentPatchSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const row = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      await ctx.services.db.transaction().execute(async (trx) => {
        await updateIncident(trx, org.id, row.id, ctx.body);
        await ctx.audit(trx, { action: 'incident.update', objectType: 'incident', objectId: row.id, outcome: 'success', details: { fields: Object.keys(ctx.body) } });
      });
      return getIncident(ctx.services.db, org.id, row.id, ctx.services.now());
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/journal`, access: { permission: 'incident.read' }, tag: 'incidents', summary: 'Journal de bord',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const rows = await ctx.services.db.selectFrom('journal_entries').selectAll()
        .where('organisation_id', '=', org.id).where('incident_id', '=', incident.id)
        .orderBy('occurred_at').orderBy('created_at').execute();
      // Journal entries may name people: reading them is an audited read.
      await ctx.auditRead('journal', incident.id, { entries: rows.length });
      return rows.map(journalView);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/journal`, access: { permission: 'journal.write' }, tag: 'incidents', summary: 'Ajouter une entrée au journal (ou une correction)',
    body: journalInputSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      if (ctx.body.correctsId) {
        const target = await ctx.services.db.selectFrom('journal_entries').select('id')
          .where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).where('id', '=', ctx.body.correctsId).executeTakeFirst();
        if (!target) throw errors.validation([{ path: 'correctsId', message: "L'entrée à corriger n'existe pas dans ce journal." }]);
      }
      const entry = await ctx.services.db.transaction().execute(async (trx) => {
        const created = await appendJournal(trx, org.id, incident.id, { id: session.userId, name: session.userName }, {
          kind: ctx.body.kind, text: ctx.body.text, occurredAt: ctx.body.occurredAt ? new Date(ctx.body.occurredAt) : ctx.services.now(), correctsId: ctx.body.correctsId,
        });
        await ctx.audit(trx, { action: 'journal.append', objectType: 'journal_entry', objectId: created.id, outcome: 'success', details: { incidentId: incident.id, kind: ctx.body.kind } });
        return created;
      });
      ctx.reply.code(201);
      return journalView(entry);
    },
  }),
  defineRoute({
    method: 'GET', path: `${INC}/tasks`, access: { permission: 'incident.read' }, tag: 'incidents', summary: 'Tâches du plan de réponse',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const rows = await ctx.services.db.selectFrom('tasks').selectAll()
        .where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).orderBy('due_at').orderBy('key').execute();
      return rows.map(taskView);
    },
  }),
  defineRoute({
    method: 'POST', path: `${INC}/tasks`, access: { permission: 'task.write' }, tag: 'incidents', summary: 'Ajouter une tâche',
    body: taskInputSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        const created = await addTask(trx, org.id, incident, ctx.body);
        await ctx.audit(trx, { action: 'task.create', objectType: 'task', objectId: created.id, outcome: 'success', details: { incidentId: incident.id } });
        return created;
      });
      ctx.reply.code(201);
      return taskView(row);
    },
  }),
  defineRoute({
    method: 'PATCH', path: `${INC}/tasks/:taskId`, access: { permission: 'task.write' }, tag: 'incidents', summary: 'Mettre à jour une tâche',
    body: taskPatchSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const incident = await getIncidentRow(ctx.services.db, org.id, ctx.params.incidentId);
      const taskId = ctx.params.taskId;
      if (!isUuid(taskId)) throw errors.notFound('Tâche');
      if (ctx.body.assigneeUserId) {
        const member = await ctx.services.db.selectFrom('memberships').select('user_id')
          .where('organisation_id', '=', org.id).where('user_id', '=', ctx.body.assigneeUserId).executeTakeFirst();
        if (!member) throw errors.validation([{ path: 'assigneeUserId', message: "Cette personne n'est pas membre de l'organisation." }]);
      }
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        const set: Record<string, unknown> = {};
        if (ctx.body.ownerRole) set.owner_role = ctx.body.ownerRole;
        if (ctx.body.assigneeUserId !== undefined) set.assignee_user_id = ctx.body.assigneeUserId;
        if (ctx.body.dueAt) set.due_at = new Date(ctx.body.dueAt);
        if (ctx.body.status) {
          set.status = ctx.body.status;
          const closing = ctx.body.status === 'done' || ctx.body.status === 'not_applicable';
          set.done_at = closing ? ctx.services.now() : null;
          set.done_by = closing ? session.userId : null;
          set.done_by_name = closing ? session.userName : null;
          set.not_applicable_reason = ctx.body.status === 'not_applicable' ? ctx.body.notApplicableReason : null;
        }
        const updated = await trx.updateTable('tasks').set(set)
          .where('organisation_id', '=', org.id).where('incident_id', '=', incident.id).where('id', '=', taskId)
          .returningAll().executeTakeFirst();
        if (!updated) throw errors.notFound('Tâche');
        await ctx.audit(trx, { action: 'task.update', objectType: 'task', objectId: taskId, outcome: 'success', details: ctx.body });
        return updated;
      });
      return taskView(row);
    },
  }),
];
