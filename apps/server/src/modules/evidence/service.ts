// Storing and reading evidence, shared by the upload route, the server-folder import and the jobs
// that produce reports: sealed at rest, SHA-256 of the original recorded, integrity checked on read.
import { createHash, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Schema } from '@rempart/db';
import { AppError, errors } from '../../platform/errors.ts';
import { openBuffer, sealBuffer } from '../../platform/keys.ts';
import type { Services } from '../../platform/services.ts';
import { isUuid } from '../organisations/access.ts';

export interface NewEvidence {
  name: string;
  mediaType: string;
  data: Buffer;
  description: string;
}

export function evidenceView(row: Record<string, any>) {
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

/**
 * Stores several pieces at once: all files are written, then all rows in one transaction (with the
 * caller's audit entries); on any failure every file written is removed, so nothing half-imported stays.
 */
export async function addEvidence(
  services: Services,
  target: { orgId: string; incidentId: string; uploadedBy: string | null; uploadedByName: string },
  items: NewEvidence[],
  audit: (trx: Transaction<Schema>, row: { id: string; sha256: string; size: number; name: string }) => Promise<unknown>,
  more?: (trx: Transaction<Schema>, ids: string[]) => Promise<unknown>,
) {
  const prepared = items.map((item) => {
    const id = randomUUID();
    return { ...item, id, key: `evidence/${target.orgId}/${id}`, sha256: createHash('sha256').update(item.data).digest('hex') };
  });
  const written: string[] = [];
  try {
    for (const p of prepared) {
      await services.files.put(p.key, sealBuffer(services.keys.fileKey, p.data, `evidence:${target.orgId}:${p.id}`));
      written.push(p.key);
    }
    return await services.db.transaction().execute(async (trx) => {
      const rows = [];
      for (const p of prepared) {
        rows.push(await trx.insertInto('evidence').values({
          id: p.id, organisation_id: target.orgId, incident_id: target.incidentId, name: p.name, media_type: p.mediaType, size: p.data.length,
          sha256: p.sha256, storage_key: p.key, description: p.description, uploaded_by: target.uploadedBy, uploaded_by_name: target.uploadedByName, uploaded_at: services.now(),
        }).returningAll().executeTakeFirstOrThrow());
        await audit(trx, { id: p.id, sha256: p.sha256, size: p.data.length, name: p.name });
      }
      await more?.(trx, prepared.map((p) => p.id));
      return rows;
    });
  } catch (error) {
    for (const key of written) await services.files.remove(key);
    throw error;
  }
}

async function readEvidenceRow(services: Services, orgId: string, incidentId: string, evidenceId: string | undefined) {
  if (!isUuid(evidenceId)) return null;
  return services.db.selectFrom('evidence').selectAll().where('organisation_id', '=', orgId).where('incident_id', '=', incidentId).where('id', '=', evidenceId).executeTakeFirst();
}

/** The original bytes of a piece of this incident, after checking they still match the recorded SHA-256. */
export async function readEvidence(services: Services, orgId: string, incidentId: string, evidenceId: string | undefined) {
  const row = await readEvidenceRow(services, orgId, incidentId, evidenceId);
  if (!row) throw errors.notFound('Pièce');
  let data: Buffer;
  try {
    data = openBuffer(services.keys.fileKey, await services.files.get(row.storage_key), `evidence:${orgId}:${row.id}`);
  } catch {
    throw new AppError('evidence_unreadable', 409, `Pièce « ${row.name} » illisible : le fichier a été altéré ou supprimé du stockage.`);
  }
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== row.sha256) throw new AppError('evidence_corrupted', 409, `Pièce « ${row.name} » altérée : son empreinte ne correspond plus à celle enregistrée au versement.`);
  return { row, data };
}
