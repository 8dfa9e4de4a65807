import { useState, type FormEvent } from 'react';
import { api, orgUrl } from '../api.ts';
import { detailsText, formatDateTime, localInputToIso } from '../format.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { Field, Loading, useLoad } from '../components/ui.tsx';

interface Entry { seq: number; at: string; actorName: string; action: string; objectType: string; objectId: string | null; ip: string | null; outcome: string; details?: unknown }

export function AuditPage({ orgId }: { orgId: string }) {
  const [filters, setFilters] = useState({ actor: '', object: '', from: '', to: '', limit: '200' });
  const [applied, setApplied] = useState(filters);
  const query = new URLSearchParams(
    Object.entries({ actor: applied.actor, object: applied.object, from: localInputToIso(applied.from) ?? '', to: localInputToIso(applied.to) ?? '', limit: applied.limit }).filter(([, v]) => v),
  ).toString();
  const entries = useLoad(() => api<Entry[]>('GET', orgUrl(orgId, `/audit${query ? `?${query}` : ''}`)), [orgId, query]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(filters);
  };
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <form onSubmit={submit} className="form filters" role="search">
        <Field label={t('audit.actor')}>{(p) => <input {...p} value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} />}</Field>
        <Field label={t('audit.object')}>{(p) => <input {...p} value={filters.object} onChange={(e) => setFilters({ ...filters, object: e.target.value })} />}</Field>
        <Field label={t('audit.from')}>{(p) => <input {...p} type="datetime-local" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} />}</Field>
        <Field label={t('audit.to')}>{(p) => <input {...p} type="datetime-local" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} />}</Field>
        <Field label={t('audit.limit')}>
          {(p) => (
            <select {...p} value={filters.limit} onChange={(e) => setFilters({ ...filters, limit: e.target.value })}>
              {['50', '200', '1000'].map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          )}
        </Field>
        <button type="submit">{t('audit.filter')}</button>
      </form>
      {!entries.data ? <Loading error={entries.error} /> : entries.data.length === 0 ? <p>{t('audit.none')}</p> : (
        <>
        <p role="status">{t('audit.count', { n: entries.data.length })}</p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.seq')}</th>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.object')}</th>
                <th scope="col">{t('audit.outcome')}</th>
                <th scope="col">{t('audit.ip')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.actorName}</td>
                  <td>{e.action}</td>
                  <td>{e.objectType}{e.objectId ? ` ${e.objectId.slice(0, 8)}` : ''}</td>
                  <td>{['success', 'denied', 'failure'].includes(e.outcome) ? t(`audit.outcome.${e.outcome}` as MessageKey) : e.outcome}</td>
                  <td>{e.ip ?? ''}</td>
                  <td className="audit-details">{detailsText(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        </>
      )}
    </>
  );
}
