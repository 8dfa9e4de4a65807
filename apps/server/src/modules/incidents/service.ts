// Incidents and their 72-hour path. Everything here takes the organisation id first and filters on
// it, so an id from another organisation is simply not found.
import type { Transaction } from 'kysely';
import { json, type Db, type Schema, type PersonalData } from '@rempart/db';
import { cnilClock, expandRunbook, type Clock } from '@rempart/runbooks';
import type { z } from 'zod';
import { errors } from '../../platform/errors.ts';
import { isUuid } from '../organisations/access.ts';
import type { incidentInputSchema, incidentPatchSchema, taskInputSchema } from './schema.ts';

type Row = Record<string, any>;

export interface IncidentView {
  id: string;
  organisationId: string;
  reference: string;
  type: string;
  title: string;
  status: string;
  startedAt: string | null;
  awareAt: string;
  detectedHow: string;
  endedAt: string | null;
  affectedSystems: string[];
  affectedServices: string[];
  personalData: PersonalData;
  provider: string | null;
  createdAt: string;
  clock: Clock;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function incidentView(row: Row, notifiedAt: Date | null, now: Date): IncidentView {
  const clock = cnilClock({
    awareAt: row.aware_at,
    notifiedAt: notifiedAt ?? undefined,
    personalDataInvolved: !!row.personal_data?.involved,
    now,
  });
  return {
    id: row.id,
    organisationId: row.organisation_id,
    reference: row.reference,
    type: row.type,
    title: row.title,
    status: row.status,
    startedAt: iso(row.started_at),
    awareAt: iso(row.aware_at)!,
    detectedHow: row.detected_how,
    endedAt: iso(row.ended_at),
    affectedSystems: row.affected_systems,
    affectedServices: row.affected_services,
    personalData: row.personal_data,
    provider: row.provider,
    createdAt: iso(row.created_at)!,
    clock,
  };
}

/** When the CNIL was first notified (the initial submission), per incident. */
export async function notificationTimes(db: Db | Transaction<Schema>, orgId: string, incidentIds?: string[]): Promise<Map<string, Date>> {
  if (incidentIds?.length === 0) return new Map();
  const rows = await db
    .selectFrom('cnil_submissions')
    .select(['incident_id', (eb) => eb.fn.min('submitted_at').as('first')])
    .where('organisation_id', '=', orgId)
    .$if(incidentIds !== undefined, (q) => q.where('incident_id', 'in', incidentIds!))
    .groupBy('incident_id')
    .execute();
  return new Map(rows.map((r) => [r.incident_id, new Date(r.first as unknown as string)]));
}

export async function listIncidents(db: Db, orgId: string, now: Date, options: { openOnly?: boolean } = {}): Promise<IncidentView[]> {
  let query = db.selectFrom('incidents').selectAll().where('organisation_id', '=', orgId);
  if (options.openOnly) query = query.where('status', '!=', 'closed');
  const rows = await query.orderBy('aware_at', 'desc').execute();
  const notified = await notificationTimes(db, orgId, rows.map((r) => r.id));
  return rows.map((r) => incidentView(r, notified.get(r.id) ?? null, now));
}

export async function getIncidentRow(db: Db | Transaction<Schema>, orgId: string, id: string | undefined) {
  if (!isUuid(id)) throw errors.notFound('Incident');
  const row = await db.selectFrom('incidents').selectAll().where('organisation_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Incident');
  return row;
}

export async function getIncident(db: Db, orgId: string, id: string | undefined, now: Date): Promise<IncidentView> {
  const row = await getIncidentRow(db, orgId, id);
  const notified = await notificationTimes(db, orgId, [row.id]);
  return incidentView(row, notified.get(row.id) ?? null, now);
}

export async function nextReference(trx: Transaction<Schema>, orgId: string, awareAt: Date): Promise<string> {
  const year = awareAt.getUTCFullYear();
  const prefix = `INC-${year}-`;
  const rows = await trx.selectFrom('incidents').select('reference').where('organisation_id', '=', orgId).where('reference', 'like', `${prefix}%`).execute();
  const max = rows.reduce((m, r) => Math.max(m, Number(r.reference.slice(prefix.length)) || 0), 0);
  return `${prefix}${String(max + 1).padStart(3, '0')}`;
}

export async function createIncident(
  trx: Transaction<Schema>,
  orgId: string,
  input: z.infer<typeof incidentInputSchema>,
  createdBy: string | null,
): Promise<string> {
  const awareAt = new Date(input.awareAt);
  const reference = await nextReference(trx, orgId, awareAt);
  const row = await trx
    .insertInto('incidents')
    .values({
      organisation_id: orgId,
      reference,
      type: input.type,
      title: input.title,
      started_at: input.startedAt ? new Date(input.startedAt) : null,
      aware_at: awareAt,
      detected_how: input.detectedHow,
      affected_systems: json(input.affectedSystems),
      affected_services: json(input.affectedServices),
      personal_data: json(input.personalData),
      provider: input.provider ?? null,
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const drafts = expandRunbook(input.type, { awareAt, personalDataInvolved: input.personalData.involved });
  if (drafts.length > 0) {
    await trx
      .insertInto('tasks')
      .values(
        drafts.map((t) => ({
          organisation_id: orgId,
          incident_id: row.id,
          key: t.key,
          title: t.title,
          description: t.description,
          phase: t.phase,
          owner_role: t.ownerRole,
          due_at: t.dueAt,
        })),
      )
      .execute();
  }
  return row.id;
}

export async function updateIncident(trx: Transaction<Schema>, orgId: string, id: string, patch: z.infer<typeof incidentPatchSchema>): Promise<void> {
  const set: Record<string, unknown> = { updated_at: new Date() };
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt ? new Date(patch.startedAt) : null;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt ? new Date(patch.endedAt) : null;
  if (patch.detectedHow !== undefined) set.detected_how = patch.detectedHow;
  if (patch.affectedSystems !== undefined) set.affected_systems = json(patch.affectedSystems);
  if (patch.affectedServices !== undefined) set.affected_services = json(patch.affectedServices);
  if (patch.personalData !== undefined) set.personal_data = json(patch.personalData);
  if (patch.provider !== undefined) set.provider = patch.provider;
  await trx.updateTable('incidents').set(set).where('organisation_id', '=', orgId).where('id', '=', id).execute();
}

export function taskView(row: Record<string, any>) {
  return {
    id: row.id as string,
    incidentId: row.incident_id as string,
    key: row.key as string | null,
    title: row.title as string,
    description: row.description as string,
    phase: row.phase as string,
    ownerRole: row.owner_role as string,
    assigneeUserId: row.assignee_user_id as string | null,
    dueAt: iso(row.due_at)!,
    status: row.status as string,
    notApplicableReason: row.not_applicable_reason as string | null,
    doneAt: iso(row.done_at),
    doneByName: row.done_by_name as string | null,
  };
}

export async function addTask(trx: Transaction<Schema>, orgId: string, incident: { id: string; aware_at: Date }, input: z.infer<typeof taskInputSchema> & { key?: string }) {
  const dueAt = new Date(input.dueAt);
  const hours = (dueAt.getTime() - incident.aware_at.getTime()) / 3_600_000;
  const phase = input.phase ?? (hours <= 1 ? 'first_hour' : hours <= 24 ? 'first_day' : 'first_week');
  return trx
    .insertInto('tasks')
    .values({ organisation_id: orgId, incident_id: incident.id, key: input.key ?? null, title: input.title, description: input.description, owner_role: input.ownerRole, due_at: dueAt, phase })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function appendJournal(
  trx: Transaction<Schema>, orgId: string, incidentId: string, author: { id: string | null; name: string },
  entry: { kind: 'fact' | 'decision' | 'communication' | 'correction'; text: string; occurredAt: Date; correctsId?: string | null },
) {
  return trx.insertInto('journal_entries').values({
    organisation_id: orgId, incident_id: incidentId, kind: entry.kind, text: entry.text, occurred_at: entry.occurredAt,
    author_id: author.id, author_name: author.name, corrects_id: entry.correctsId ?? null,
  }).returningAll().executeTakeFirstOrThrow();
}

export function journalView(row: Record<string, any>) {
  return {
    id: row.id as string,
    kind: row.kind as string,
    text: row.text as string,
    occurredAt: iso(row.occurred_at)!,
    authorName: row.author_name as string,
    createdAt: iso(row.created_at)!,
    correctsId: row.corrects_id as string | null,
  };
}
