import { useRef, useState, type FormEvent } from 'react';
import { api, apiUpload, ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';

interface Piece { id: string; name: string; mediaType: string; size: number; sha256: string; description: string; uploadedByName: string; uploadedAt: string }

const size = (n: number) => (n < 1024 ? `${n} o` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} ko` : `${(n / 1_048_576).toFixed(1)} Mo`);

export function EvidenceSection({ base, canWrite }: { base: string; canWrite: boolean }) {
  const pieces = useLoad(() => api<Piece[]>('GET', `${base}/evidence`), [base]);
  const fileInput = useRef<HTMLInputElement>(null);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    const file = fileInput.current?.files?.[0];
    const form = new FormData();
    form.append('description', description);
    if (file) form.append('file', file, file.name);
    setBusy(true);
    try {
      await apiUpload(`${base}/evidence`, form);
      setDescription('');
      if (fileInput.current) fileInput.current.value = '';
      setDone(true);
      pieces.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="preuves" aria-labelledby="preuves-h">
      <h2 id="preuves-h">{t('evidence.title')}</h2>
      <p>{t('evidence.intro')}</p>
      {!pieces.data ? <Loading error={pieces.error} /> : pieces.data.length === 0 ? <p>{t('evidence.none')}</p> : (
        <ul className="cards">
          {pieces.data.map((p) => (
            <li key={p.id} className="card">
              <h3><a href={`${base}/evidence/${p.id}`} download>{p.name}</a></h3>
              <p className="muted">{size(p.size)} — {t('evidence.by', { name: p.uploadedByName, date: formatDateTime(p.uploadedAt) })}</p>
              {p.description && <p>{p.description}</p>}
              <p>{t('evidence.fingerprint')} : <code>{p.sha256}</code></p>
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form onSubmit={submit} noValidate className="form compact">
          <FormError error={error} labels={{ file: t('evidence.file'), description: t('evidence.description') }} />
          {done && <Notice>{t('evidence.uploaded')}</Notice>}
          <Field label={t('evidence.file')} error={error?.field('file')} required>
            {(p) => <input {...p} ref={fileInput} type="file" />}
          </Field>
          <Field label={t('evidence.description')}>
            {(p) => <textarea {...p} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={busy}>{t('evidence.upload')}</button>
        </form>
      )}
    </section>
  );
}
