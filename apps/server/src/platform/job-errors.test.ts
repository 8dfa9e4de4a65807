import { describe, expect, it } from 'vitest';
import { IngestError } from '@rempart/ingest';
import { safeIssuesText } from './job-errors.ts';

describe('job error text kept in clear', () => {
  it('says where and what kind of problem, never a value read from the file', () => {
    // A header-less export: its first row (a person, an address) is taken for the header.
    const row = ['02/05/2024', '03:12:00', 'c.durand', '203.0.113.9', 'Connexion'];
    const error = new IngestError([
      { code: 'missing_column', file: 'export.csv', line: 1, field: 'user.name', value: 'Utilisateur', message: `colonne « Utilisateur » absente de l’en-tête. Colonnes présentes : ${row.join(', ')}.`, messageEn: '' },
      { code: 'file_unreadable', file: 'b.csv.gz', message: `fichier illisible (${row.join(';')}).`, messageEn: '' },
    ]);
    const text = safeIssuesText(error.issues);
    expect(text).toBe('export.csv, ligne 1, champ user.name : colonne « Utilisateur » absente de l’en-tête. ; b.csv.gz : fichier illisible ou archive gzip corrompue.');
    for (const value of row) expect(text).not.toContain(value);
    expect(error.message).toContain('c.durand');
  });
});
