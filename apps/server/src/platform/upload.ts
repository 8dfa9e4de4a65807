// One file per request, in multipart/form-data, with the size limit turned into a clear French error.
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { AppError, errors } from './errors.ts';

export interface Upload {
  file: { name: string; type: string; data: Buffer };
  fields: Record<string, string>;
}

export function cleanFileName(name: string, fallback = 'piece'): string {
  return (name.split(/[\\/]/).pop() ?? fallback).replace(/[\u0000-\u001f\u007f"]/g, '_').slice(0, 200) || fallback;
}

function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart()) {
    throw errors.badRequest('multipart_required', 'Envoyez le fichier en multipart/form-data (champ « file »).', [{ path: 'file', message: 'Fichier manquant.' }]);
  }
}

const oneFileOnly = () => errors.badRequest('one_file', 'Un seul fichier à la fois.', [{ path: 'file', message: 'Un seul fichier par envoi.' }]);
const emptyFile = () => errors.validation([{ path: 'file', message: 'Le fichier est vide ou absent.' }]);

/** A size in the unit a French reader expects: « 50 Mo », « 10 Go ». */
export function sizeLabel(bytes: number): string {
  const mb = bytes / 1_048_576;
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} Go` : `${Math.round(mb)} Mo`;
}

function tooLarge(maxBytes: number, setting = 'REMPART_MAX_UPLOAD_MB'): AppError {
  return new AppError('file_too_large', 413, `Fichier trop volumineux : ${sizeLabel(maxBytes)} au plus par fichier (limite fixée par l’exploitant avec ${setting}).`, [{ path: 'file', message: 'Fichier trop volumineux.' }]);
}

export async function readSingleUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  requireMultipart(request);
  let file: Upload['file'] | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (file) throw oneFileOnly();
        file = { name: cleanFileName(part.filename), type: part.mimetype || 'application/octet-stream', data: await part.toBuffer() };
      } else {
        fields[part.fieldname] = String(part.value ?? '').trim().slice(0, 2000);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw tooLarge(maxBytes);
    }
    throw error;
  }
  if (!file || file.data.length === 0) throw emptyFile();
  return { file, fields };
}

export interface StreamedFile { name: string; type: string; stream: Readable }

/**
 * One file streamed to `store` as it arrives (never held in memory); the stream fails with a clear
 * 413 past `maxBytes`. `discard` undoes a store when the request turns out wrong afterwards (a second
 * file, an empty one, a broken body).
 */
export async function readStreamedUpload<T extends { size: number }>(
  request: FastifyRequest,
  limit: { maxBytes: number; setting: string },
  store: (file: StreamedFile) => Promise<T>,
  discard: (stored: T) => Promise<void>,
): Promise<{ stored: T; name: string; type: string; fields: Record<string, string> }> {
  requireMultipart(request);
  let stored: { value: T; name: string; type: string } | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: limit.maxBytes } })) {
      if (part.type === 'file') {
        if (stored) throw oneFileOnly();
        const source = part.file;
        // busboy ends a file cut at the limit like a complete one: only `truncated` tells them apart.
        const guard = new Transform({
          transform: (chunk: Buffer, _e: BufferEncoding, done: TransformCallback) => done(null, chunk),
          flush: (done: TransformCallback) => done(source.truncated ? tooLarge(limit.maxBytes, limit.setting) : null),
        });
        const name = cleanFileName(part.filename);
        const type = part.mimetype || 'application/octet-stream';
        stored = { value: await store({ name, type, stream: pipeline(source, guard, () => undefined) }), name, type };
      } else {
        fields[part.fieldname] = String(part.value ?? '').trim().slice(0, 2000);
      }
    }
    if (!stored || stored.value.size === 0) throw emptyFile();
  } catch (error) {
    if (stored) await discard(stored.value);
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limit.maxBytes, limit.setting);
    if ((error as { code?: string }).code === 'FST_FILES_LIMIT') throw oneFileOnly();
    throw error;
  }
  return { stored: stored.value, name: stored.name, type: stored.type, fields };
}
