// One file per request, in multipart/form-data, with the size limit turned into a clear French error.
import type { FastifyRequest } from 'fastify';
import { AppError, errors } from './errors.ts';

export interface Upload {
  file: { name: string; type: string; data: Buffer };
  fields: Record<string, string>;
}

export function cleanFileName(name: string, fallback = 'piece'): string {
  return (name.split(/[\\/]/).pop() ?? fallback).replace(/[\u0000-\u001f\u007f"]/g, '_').slice(0, 200) || fallback;
}

export async function readSingleUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw errors.badRequest('multipart_required', 'Envoyez le fichier en multipart/form-data (champ « file »).', [{ path: 'file', message: 'Fichier manquant.' }]);
  }
  let file: Upload['file'] | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (file) throw errors.badRequest('one_file', 'Un seul fichier à la fois.', [{ path: 'file', message: 'Un seul fichier par envoi.' }]);
        file = { name: cleanFileName(part.filename), type: part.mimetype || 'application/octet-stream', data: await part.toBuffer() };
      } else {
        fields[part.fieldname] = String(part.value ?? '').trim().slice(0, 2000);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('file_too_large', 413, `Fichier trop volumineux : ${Math.round(maxBytes / 1_048_576)} Mo au plus.`, [{ path: 'file', message: 'Fichier trop volumineux.' }]);
    }
    throw error;
  }
  if (!file || file.data.length === 0) throw errors.validation([{ path: 'file', message: 'Le fichier est vide ou absent.' }]);
  return { file, fields };
}
