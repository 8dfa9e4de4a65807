// Storing and reading evidence, shared by the upload route, the server-folder import and the jobs
// that produce reports: sealed at rest chunk by chunk (a multi-gigabyte log export never sits in
// memory), SHA-256 of the original computed while it streams in, integrity checked on every read.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { PassThrough, pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { Transaction } from 'kysely';
import type { Schema } from '@rempart/db';
import { AppError, errors } from '../../platform/errors.ts';
import { OpenStream, SealedFileError, SealStream } from '../../platform/sealed-stream.ts';
import type { Services } from '../../platform/services.ts';
import { isUuid } from '../organisations/access.ts';

export interface NewEvidence {
  name: string;
  mediaType: string;
  /** The bytes, or a stream read once (an upload, a file of the import folder). */
  data: Buffer | Readable;
  description: string;
}

/** A sealed file written to storage, not yet recorded (nor visible) in the incident. */
export interface StoredFile { id: string; key: string; sha256: string; size: number }

type EvidenceRow = NonNullable<Awaited<ReturnType<typeof readEvidenceRow>>>;

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

const binding = (orgId: string, id: string) => `evidence:${orgId}:${id}`;

/** Counts and hashes the bytes going through. */
class Meter extends Transform {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/** Streams one original into a sealed file (hash and size computed on the way); on failure nothing stays. */
export async function storeEvidenceFile(services: Services, orgId: string, source: Buffer | Readable): Promise<StoredFile> {
  const id = randomUUID();
  const key = `evidence/${orgId}/${id}`;
  const meter = new Meter();
  const sealer = new SealStream(services.keys.fileKey, binding(orgId, id));
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  await services.files.putStream(key, pipeline(input, meter, sealer, () => undefined));
  return { id, key, sha256: meter.hash.digest('hex'), size: meter.size };
}

/**
 * Records stored files as pieces in one transaction (with the caller's audit entries); on any
 * failure every file is removed, so nothing half-imported stays.
 */
export async function recordEvidence(
  services: Services,
  target: { orgId: string; incidentId: string; uploadedBy: string | null; uploadedByName: string },
  pieces: (StoredFile & { name: string; mediaType: string; description: string })[],
  audit: (trx: Transaction<Schema>, row: { id: string; sha256: string; size: number; name: string }) => Promise<unknown>,
  more?: (trx: Transaction<Schema>, ids: string[]) => Promise<unknown>,
) {
  try {
    return await services.db.transaction().execute(async (trx) => {
      const rows = [];
      for (const p of pieces) {
        rows.push(await trx.insertInto('evidence').values({
          id: p.id, organisation_id: target.orgId, incident_id: target.incidentId, name: p.name, media_type: p.mediaType, size: p.size,
          sha256: p.sha256, storage_key: p.key, description: p.description, uploaded_by: target.uploadedBy, uploaded_by_name: target.uploadedByName, uploaded_at: services.now(),
        }).returningAll().executeTakeFirstOrThrow());
        await audit(trx, { id: p.id, sha256: p.sha256, size: p.size, name: p.name });
      }
      await more?.(trx, pieces.map((p) => p.id));
      return rows;
    });
  } catch (error) {
    await discardEvidenceFiles(services, pieces);
    throw error;
  }
}

export async function discardEvidenceFiles(services: Services, pieces: { key: string }[]): Promise<void> {
  for (const p of pieces) await services.files.remove(p.key);
}

/** Stores several pieces at once, all or nothing (see recordEvidence). */
export async function addEvidence(
  services: Services,
  target: { orgId: string; incidentId: string; uploadedBy: string | null; uploadedByName: string },
  items: NewEvidence[],
  audit: (trx: Transaction<Schema>, row: { id: string; sha256: string; size: number; name: string }) => Promise<unknown>,
  more?: (trx: Transaction<Schema>, ids: string[]) => Promise<unknown>,
) {
  const stored: (StoredFile & { name: string; mediaType: string; description: string })[] = [];
  try {
    for (const item of items) stored.push({ ...(await storeEvidenceFile(services, target.orgId, item.data)), name: item.name, mediaType: item.mediaType, description: item.description });
  } catch (error) {
    await discardEvidenceFiles(services, stored);
    throw error;
  }
  return recordEvidence(services, target, stored, audit, more);
}

async function readEvidenceRow(services: Services, orgId: string, incidentId: string, evidenceId: string | undefined) {
  if (!isUuid(evidenceId)) return null;
  return services.db.selectFrom('evidence').selectAll().where('organisation_id', '=', orgId).where('incident_id', '=', incidentId).where('id', '=', evidenceId).executeTakeFirst();
}

/** The row of a piece of this incident, or 404. */
export async function evidenceRow(services: Services, orgId: string, incidentId: string, evidenceId: string | undefined) {
  const row = await readEvidenceRow(services, orgId, incidentId, evidenceId);
  if (!row) throw errors.notFound('Pièce');
  return row;
}

/**
 * Fails the stream at its end when the bytes are not those hashed at upload. The last chunk is held
 * back until the hash is checked: a reader never receives the whole of a piece that does not match.
 */
class IntegrityCheck extends Meter {
  private held: Buffer | null = null;
  constructor(private readonly row: EvidenceRow) {
    super();
  }
  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback) {
    super._transform(chunk, encoding, (error) => {
      if (error) { done(error); return; }
      const previous = this.held;
      this.held = chunk;
      done(null, previous ?? undefined);
    });
  }
  override _flush(done: TransformCallback) {
    const ok = this.size === Number(this.row.size) && this.hash.digest('hex') === this.row.sha256;
    if (!ok) { done(new AppError('evidence_corrupted', 409, `Pièce « ${this.row.name} » altérée : son empreinte ne correspond plus à celle enregistrée au versement.`)); return; }
    done(null, this.held ?? undefined);
  }
}

function unreadable(row: EvidenceRow, error: unknown): Error {
  if (error instanceof AppError) return error;
  if (error instanceof SealedFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new AppError('evidence_unreadable', 409, `Pièce « ${row.name} » illisible : le fichier a été altéré ou supprimé du stockage (${error instanceof SealedFileError ? error.message : 'fichier absent'}).`);
  }
  return error as Error;
}

/**
 * The original bytes of a piece as a stream. With `verify`, the stream fails at its end unless the
 * whole piece matches the recorded SHA-256; each chunk is authenticated before it is given out anyway.
 */
export function evidenceStream(services: Services, row: EvidenceRow, verify = true): Readable {
  const out = verify ? new IntegrityCheck(row) : new PassThrough();
  return pipeline(services.files.getStream(row.storage_key), new OpenStream(services.keys.fileKey, binding(row.organisation_id, row.id)), out, () => undefined);
}

/** Writes the original (or only its first `maxBytes`, unverified as a whole) to a file: the scratch copy for a scan or a preview. */
export async function writeEvidenceTo(services: Services, row: EvidenceRow, file: string, options: { maxBytes?: number } = {}): Promise<void> {
  try {
    if (options.maxBytes === undefined) {
      await pipelineAsync(evidenceStream(services, row), createWriteStream(file, { mode: 0o600 }));
      return;
    }
    let left = options.maxBytes;
    const source = evidenceStream(services, row, false);
    // Leaving the loop destroys the source: the rest of the file is not decrypted.
    await pipelineAsync(async function* () {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        yield chunk.subarray(0, left);
        left -= chunk.length;
        if (left <= 0) break;
      }
    }, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    throw unreadable(row, error);
  }
}

/**
 * A piece for download, decrypted once. Its first bytes are read before answering, so a missing file
 * or a damaged start is refused with a 409 before anything is sent; past that, every chunk is
 * authenticated before it goes out and the last one waits for the whole-file hash, so an alteration
 * found later cuts the transfer short: the reader gets a prefix of the genuine bytes, never a whole
 * file, and never an altered byte.
 */
export async function openEvidenceDownload(services: Services, row: EvidenceRow): Promise<Readable> {
  const stream = evidenceStream(services, row);
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown) => {
      stream.off('readable', onReadable);
      stream.off('error', settle);
      if (error) reject(unreadable(row, error)); else resolve();
    };
    const onReadable = () => settle();
    stream.once('readable', onReadable);
    stream.once('error', settle);
  });
  // Later failures reach the HTTP layer, which ends the response before its announced length.
  return stream;
}
