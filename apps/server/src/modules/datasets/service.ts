// Leaked-record extracts: one random key per dataset, wrapped by the master key; purge = crypto-shred.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { appendAudit } from '../../platform/audit.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { openBuffer, sealBuffer } from '../../platform/keys.ts';
import type { Services } from '../../platform/services.ts';

export const MAX_RETENTION_DAYS = 3 * 365;

export interface DatasetView {
  id: string;
  incidentId: string;
  name: string;
  size: number;
  sha256: string;
  retentionUntil: string;
  createdByName: string;
  createdAt: string;
  purgedAt: string | null;
  purgeReason: string | null;
  /** The saved column mapping (YAML), or null before the DPO maps the columns. */
  mapping: string | null;
  mappingUpdatedAt: string | null;
  mappingUpdatedByName: string | null;
}

export function datasetView(row: Record<string, any>): DatasetView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id, incidentId: row.incident_id, name: row.name, size: Number(row.size), sha256: row.sha256,
    retentionUntil: iso(row.retention_until)!, createdByName: row.created_by_name, createdAt: iso(row.created_at)!,
    purgedAt: iso(row.purged_at), purgeReason: row.purge_reason,
    mapping: row.mapping ?? null, mappingUpdatedAt: iso(row.mapping_updated_at ?? null), mappingUpdatedByName: row.mapping_updated_by_name ?? null,
  };
}

const bind = (orgId: string, id: string) => `dataset:${orgId}:${id}`;

/** Where a scoping run's sealed results live; fixed by run id so a purge finds them even mid-run. */
export const scopingResultKey = (orgId: string, runId: string) => `scoping/${orgId}/${runId}`;

/** How a run's results are cut into sealed segment files (counts only, kept in clear on the run). */
/**
 * Version 2: one `index` and one `assignments` file per run. Version 3: the index cut like the persons
 * (`index-<n>`, with per-segment counts in `index-summary`) and the assignments spread over
 * `assignmentSegments` files by a hash of the record id, so that a filtered page or a decision reads
 * only the files it needs.
 */
export interface ScopingLayout { version: 2 | 3; persons: number; personsPerSegment: number; review: number; reviewPerSegment: number; assignmentSegments?: number }
const SCOPING_FIXED_SEGMENTS: Record<ScopingLayout['version'], readonly string[]> = { 2: ['index', 'assignments', 'review-index', 'rejected'], 3: ['index-summary', 'review-index', 'rejected'] };
export const scopingSegmentKey = (orgId: string, runId: string, segment: string) => `${scopingResultKey(orgId, runId)}/${segment}`;

/** Every storage key a run's results may occupy: the one-document form and each segment. */
export function scopingResultKeys(orgId: string, runId: string, layout: ScopingLayout | null): string[] {
  const keys = [scopingResultKey(orgId, runId)];
  if (!layout) return keys;
  for (const s of SCOPING_FIXED_SEGMENTS[layout.version]) keys.push(scopingSegmentKey(orgId, runId, s));
  for (let i = 0; i * layout.personsPerSegment < layout.persons; i++) {
    keys.push(scopingSegmentKey(orgId, runId, `persons-${i}`));
    if (layout.version === 3) keys.push(scopingSegmentKey(orgId, runId, `index-${i}`));
  }
  for (let i = 0; i * layout.reviewPerSegment < layout.review; i++) keys.push(scopingSegmentKey(orgId, runId, `review-${i}`));
  for (let i = 0; i < (layout.assignmentSegments ?? 0); i++) keys.push(scopingSegmentKey(orgId, runId, `assignments-${i}`));
  return keys;
}

export async function importDataset(
  services: Services,
  input: { organisationId: string; incidentId: string; name: string; data: Buffer; retentionDays: number; actor: { id: string; name: string; email: string }; ip: string },
): Promise<DatasetView> {
  const id = randomUUID();
  const key = randomBytes(32);
  const storageKey = `datasets/${input.organisationId}/${id}`;
  const sha256 = createHash('sha256').update(input.data).digest('hex');
  await services.files.put(storageKey, sealBuffer(key, input.data, bind(input.organisationId, id)));
  try {
    const row = await services.db.transaction().execute(async (trx) => {
      const created = await trx.insertInto('leaked_datasets').values({
        id, organisation_id: input.organisationId, incident_id: input.incidentId, name: input.name, size: input.data.length, sha256,
        storage_key: storageKey, wrapped_key: services.keys.wrapKey(key, bind(input.organisationId, id)),
        retention_until: new Date(services.now().getTime() + input.retentionDays * 86_400_000),
        created_by: input.actor.id, created_by_name: input.actor.name, created_at: services.now(),
      }).returningAll().executeTakeFirstOrThrow();
      await appendAudit(trx, services.keys, {
        actorUserId: input.actor.id, actorLabel: input.actor.email, organisationId: input.organisationId, ip: input.ip,
        action: 'dataset.import', objectType: 'leaked_dataset', objectId: id, outcome: 'success', details: { incidentId: input.incidentId, sha256, size: input.data.length, retentionDays: input.retentionDays },
      });
      return created;
    });
    return datasetView(row);
  } catch (error) {
    await services.files.remove(storageKey);
    throw error;
  } finally {
    key.fill(0);
  }
}

/** The decrypted bytes of a dataset; callers audit the read. */
export async function readDataset(services: Services, organisationId: string, id: string, incidentId?: string): Promise<Buffer> {
  const row = await services.db.selectFrom('leaked_datasets').selectAll().where('organisation_id', '=', organisationId).where('id', '=', id)
    .$if(incidentId !== undefined, (q) => q.where('incident_id', '=', incidentId!)).executeTakeFirst();
  if (!row) throw errors.notFound('Extrait');
  if (!row.wrapped_key || !row.storage_key) throw new AppError('dataset_purged', 410, `Cet extrait a été purgé le ${row.purged_at?.toISOString().slice(0, 10)} : ses données n'existent plus.`);
  const key = services.keys.unwrapKey(row.wrapped_key, bind(organisationId, id));
  try {
    return openBuffer(key, await services.files.get(row.storage_key), bind(organisationId, id));
  } finally {
    key.fill(0);
  }
}

/**
 * Seals or opens derived data (scoping results) with the dataset's own key, so that purging the
 * dataset makes them unreadable too. The binding names the derived object, not the dataset file.
 */
export async function withDatasetKey<T>(services: Services, organisationId: string, id: string, use: (seal: (data: Buffer, binding: string) => Buffer, open: (sealed: Buffer, binding: string) => Buffer) => Promise<T> | T): Promise<T> {
  const row = await services.db.selectFrom('leaked_datasets').select(['wrapped_key', 'purged_at']).where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Extrait');
  if (!row.wrapped_key) throw new AppError('dataset_purged', 410, `Cet extrait a été purgé le ${row.purged_at?.toISOString().slice(0, 10)} : ses données et ses résultats n'existent plus.`);
  const key = services.keys.unwrapKey(row.wrapped_key, bind(organisationId, id));
  try {
    return await use((data, binding) => sealBuffer(key, data, `${bind(organisationId, id)}:${binding}`), (sealed, binding) => openBuffer(key, sealed, `${bind(organisationId, id)}:${binding}`));
  } finally {
    key.fill(0);
  }
}

export async function purgeDataset(
  services: Services,
  input: { organisationId: string; id: string; reason: string; actor: { id: string | null; email: string }; ip: string | null },
): Promise<DatasetView> {
  const row = await services.db.selectFrom('leaked_datasets').selectAll().where('organisation_id', '=', input.organisationId).where('id', '=', input.id).executeTakeFirst();
  if (!row) throw errors.notFound('Extrait');
  if (row.purged_at) return datasetView(row);
  // The key goes first: once the transaction commits, whatever happens to the file, it is unreadable.
  const runs: { id: string; results_layout: ScopingLayout | null }[] = [];
  const updated = await services.db.transaction().execute(async (trx) => {
    const purged = await trx.updateTable('leaked_datasets')
      .set({ wrapped_key: null, storage_key: null, purged_at: services.now(), purge_reason: input.reason })
      .where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    // Scoping results go with their dataset: their files are sealed with its key (now gone) and removed
    // below; the reviewers' decisions name source rows and are deleted. Counts stay, as tombstones.
    const purgedRuns = await trx.updateTable('scoping_runs').set({ storage_key: null, status: 'purged' })
      .where('organisation_id', '=', input.organisationId).where('dataset_id', '=', row.id).returning(['id', 'results_layout']).execute();
    await trx.deleteFrom('scoping_decisions').where('organisation_id', '=', input.organisationId).where('dataset_id', '=', row.id).execute();
    runs.push(...purgedRuns);
    await appendAudit(trx, services.keys, {
      actorUserId: input.actor.id, actorLabel: input.actor.email, organisationId: input.organisationId, ip: input.ip,
      action: 'dataset.purge', objectType: 'leaked_dataset', objectId: row.id, outcome: 'success', details: { reason: input.reason },
    });
    return purged;
  });
  if (row.storage_key) await services.files.remove(row.storage_key);
  for (const run of runs) for (const key of scopingResultKeys(input.organisationId, run.id, run.results_layout)) await services.files.remove(key);
  return datasetView(updated);
}

/** Purges every dataset past its retention date; run at start-up, hourly, and by the CLI. */
export async function purgeExpiredDatasets(services: Services): Promise<number> {
  const expired = await services.db.selectFrom('leaked_datasets').select(['id', 'organisation_id'])
    .where('purged_at', 'is', null).where('retention_until', '<', services.now()).execute();
  for (const d of expired) {
    await purgeDataset(services, { organisationId: d.organisation_id, id: d.id, reason: 'durée de conservation échue', actor: { id: null, email: 'système (conservation)' }, ip: null });
  }
  return expired.length;
}

export interface Preview {
  encoding: 'utf-8' | 'windows-1252';
  delimiter: string | null;
  lines: { line: number; text: string }[];
  truncated: boolean;
}

/** The first lines as text, in the encoding the file most likely uses, so the DPO can map columns. */
export function previewText(data: Buffer, maxLines = 20): Preview {
  const head = data.subarray(0, 256 * 1024);
  let encoding: Preview['encoding'] = 'utf-8';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(head.subarray(0, lastCompleteUtf8(head)));
  } catch {
    encoding = 'windows-1252';
    text = iconv.decode(head, 'win1252');
  }
  const all = text.split(/\r?\n/);
  const lines = all.slice(0, maxLines).map((l, i) => ({ line: i + 1, text: l.length > 500 ? `${l.slice(0, 500)}…` : l }));
  const header = all[0] ?? '';
  const counts = [';', ',', '\t', '|'].map((d) => [d, header.split(d).length - 1] as const).sort((a, b) => b[1] - a[1]);
  return { encoding, delimiter: counts[0]![1] > 0 ? counts[0]![0] : null, lines, truncated: all.length > maxLines || data.length > head.length };
}

// A 256 KiB cut may split a multi-byte character: decode up to the last complete one.
function lastCompleteUtf8(buf: Buffer): number {
  let end = buf.length;
  for (let i = 1; i <= 3 && end - i >= 0; i += 1) {
    const byte = buf[end - i]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (need > i) end -= i;
    break;
  }
  return end;
}
