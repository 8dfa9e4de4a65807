import { useRef, useState, type FormEvent } from 'react';
import { api, apiUpload, ApiError } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';
import { ScopingPanel } from './Scoping.tsx';

interface Dataset { id: string; name: string; size: number; sha256: string; retentionUntil: string; createdByName: string; createdAt: string; purgedAt: string | null; purgeReason: string | null; mapping: string | null }
interface Preview { encoding: string; delimiter: string | null; lines: { line: number; text: string }[]; truncated: boolean }

export function DatasetsSection({ base, canCnil = false, canSend = false }: { base: string; canCnil?: boolean; canSend?: boolean }) {
  const datasets = useLoad(() => api<Dataset[]>('GET', `${base}/datasets`), [base]);
  const fileInput = useRef<HTMLInputElement>(null);
  const [retention, setRetention] = useState('90');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [preview, setPreview] = useState<{ id: string; data: Preview } | null>(null);
  const [purging, setPurging] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [analysing, setAnalysing] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    const form = new FormData();
    form.append('retentionDays', retention);
    const file = fileInput.current?.files?.[0];
    if (file) form.append('file', file, file.name);
    try {
      await apiUpload(`${base}/datasets`, form);
      if (fileInput.current) fileInput.current.value = '';
      setDone(true);
      datasets.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const show = async (id: string) => {
    setError(null);
    try {
      setPreview({ id, data: await api<Preview>('GET', `${base}/datasets/${id}/preview`) });
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const purge = async (id: string) => {
    setError(null);
    try {
      await api('POST', `${base}/datasets/${id}/purge`, { reason });
      setPurging(null);
      setReason('');
      setPreview(null);
      datasets.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <section id="extraits" aria-labelledby="extraits-h">
      <h2 id="extraits-h">{t('datasets.title')}</h2>
      <p>{t('datasets.intro')}</p>
      <FormError error={error} />
      {!datasets.data ? <Loading error={datasets.error} /> : datasets.data.length === 0 ? <p>{t('datasets.none')}</p> : (
        <ul className="cards">
          {datasets.data.map((d) => (
            <li key={d.id} className={analysing === d.id ? 'card card-wide' : 'card'}>
              <h3>{d.name}</h3>
              <p className="muted">
                {formatDateTime(d.createdAt)} — {d.createdByName} — {d.purgedAt ? t('datasets.purgedOn', { date: formatDate(d.purgedAt), reason: d.purgeReason ?? '' }) : t('datasets.until', { date: formatDate(d.retentionUntil) })}
              </p>
              {!d.purgedAt && (
                <div className="task-actions">
                  <button type="button" onClick={() => void show(d.id)}>{t('datasets.preview')}<span className="visually-hidden"> : {d.name}</span></button>
                  <button type="button" aria-expanded={analysing === d.id} onClick={() => setAnalysing(analysing === d.id ? null : d.id)}>{analysing === d.id ? t('datasets.closeAnalyse') : t('datasets.analyse')}<span className="visually-hidden"> : {d.name}</span></button>
                  <button type="button" onClick={() => setPurging(purging === d.id ? null : d.id)}>{t('datasets.purge')}<span className="visually-hidden"> : {d.name}</span></button>
                </div>
              )}
              {purging === d.id && (
                <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void purge(d.id); }}>
                  <Field label={t('datasets.purgeReason')} error={error?.field('reason')} required>
                    {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
                  </Field>
                  <button type="submit">{t('datasets.confirmPurge')}</button>
                </form>
              )}
              {analysing === d.id && !d.purgedAt && (
                <ScopingPanel base={base} datasetId={d.id} savedMapping={d.mapping} canWrite canCnil={canCnil} canSend={canSend} onMappingSaved={datasets.reload} />
              )}
              {preview?.id === d.id && (
                <figure className="preview">
                  <figcaption>{t('datasets.previewTitle', { encoding: preview.data.encoding, delimiter: preview.data.delimiter ?? '?' })}</figcaption>
                  <pre tabIndex={0} aria-label={t('datasets.preview')}>{preview.data.lines.map((l) => `${String(l.line).padStart(3)}  ${l.text}`).join('\n')}</pre>
                </figure>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate className="form compact">
        {done && <Notice>{t('datasets.imported')}</Notice>}
        <Field label={t('datasets.file')} error={error?.field('file')} required>
          {(p) => <input {...p} ref={fileInput} type="file" accept=".csv,.txt,.ndjson,.json,.gz" />}
        </Field>
        <Field label={t('datasets.retention')} error={error?.field('retentionDays')}>
          {(p) => <input {...p} inputMode="numeric" value={retention} onChange={(e) => setRetention(e.target.value)} />}
        </Field>
        <button type="submit" className="primary">{t('datasets.import')}</button>
      </form>
    </section>
  );
}
