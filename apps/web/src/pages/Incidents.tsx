import { useState, type FormEvent } from 'react';
import { api, ApiError, orgUrl } from '../api.ts';
import { formatDateTime, isoToLocalInput, lines, localInputToIso } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import { allowed, useSession } from '../session.ts';
import { ClockBadge, Field, FormError, Loading, useLoad } from '../components/ui.tsx';
import { INCIDENT_TYPES, type Incident } from '../types.ts';

export function IncidentsPage({ orgId }: { orgId: string }) {
  const { membership } = useSession();
  const { data, error, reload, loadedAt } = useLoad(() => api<Incident[]>('GET', orgUrl(orgId, '/incidents')), [orgId]);
  if (!data) return <Loading error={error} onRetry={reload} />;
  return (
    <>
      <div className="page-head">
        <h1>{t('incidents.title')}</h1>
        {allowed(membership(orgId), 'incident') && <Link href={`/o/${orgId}/incidents/nouveau`} className="button primary">{t('home.declare')}</Link>}
      </div>
      {data.length === 0 ? (
        <p>{t('incidents.none')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('incidents.reference')}</th>
                <th scope="col">{t('declare.titleField')}</th>
                <th scope="col">{t('incidents.status')}</th>
                <th scope="col">{t('incidents.awareAt')}</th>
                <th scope="col">{t('incidents.clock')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((i) => (
                <tr key={i.id}>
                  <td><Link href={`/o/${orgId}/incidents/${i.id}`}>{i.reference}</Link></td>
                  <td>{i.title}<br /><span className="muted">{t(`type.${i.type}` as never)}</span></td>
                  <td>{t(`status.${i.status}` as never)}</td>
                  <td>{formatDateTime(i.awareAt)}</td>
                  <td><ClockBadge clock={i.clock} fetchedAt={loadedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function DeclarePage({ orgId }: { orgId: string }) {
  return <IncidentForm orgId={orgId} onDone={(created) => navigate(`/o/${orgId}/incidents/${created.id}`)} />;
}

/**
 * Declares an incident, or (given one) edits its summary. The type and the awareness time are
 * fixed once declared: the second starts the legal clock, so it is not silently movable.
 */
export function IncidentForm({ orgId, incident, onDone, onCancel }: { orgId: string; incident?: Incident; onDone: (saved: Incident) => void; onCancel?: () => void }) {
  const editing = !!incident;
  const pd = incident?.personalData;
  const [form, setForm] = useState({
    type: incident?.type ?? 'exfiltration', title: incident?.title ?? '', awareAt: isoToLocalInput(incident?.awareAt ?? new Date().toISOString()),
    startedAt: isoToLocalInput(incident?.startedAt), endedAt: isoToLocalInput(incident?.endedAt), detectedHow: incident?.detectedHow ?? '',
    systems: (incident?.affectedSystems ?? []).join('\n'), services: (incident?.affectedServices ?? []).join('\n'),
    involved: pd?.involved ?? true, categories: (pd?.categories ?? []).join('\n'), persons: pd?.approxPersons?.toString() ?? '',
    records: pd?.approxRecords?.toString() ?? '', sensitive: pd?.sensitive ?? false, minors: pd?.minors ?? false, provider: incident?.provider ?? '',
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setForm({ ...form, [key]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const number = (v: string) => {
    const compact = v.replace(/\s/g, '');
    return compact === '' ? null : /^\d+$/.test(compact) ? Number(compact) : Number.NaN;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const common = {
      title: form.title,
      startedAt: localInputToIso(form.startedAt) ?? null,
      detectedHow: form.detectedHow,
      affectedSystems: lines(form.systems),
      affectedServices: lines(form.services),
      personalData: { involved: form.involved, categories: lines(form.categories), approxPersons: number(form.persons), approxRecords: number(form.records), sensitive: form.sensitive, minors: form.minors },
      provider: form.provider || null,
    };
    try {
      const saved = editing
        ? await api<Incident>('PATCH', orgUrl(orgId, `/incidents/${incident.id}`), { ...common, endedAt: localInputToIso(form.endedAt) ?? null })
        : await api<Incident>('POST', orgUrl(orgId, '/incidents'), { ...common, type: form.type, awareAt: localInputToIso(form.awareAt) ?? '' });
      onDone(saved);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const labels = {
    type: t('declare.type'), title: t('declare.titleField'), awareAt: t('declare.awareAt'), startedAt: t('declare.startedAt'), endedAt: t('declare.endedAt'),
    detectedHow: t('declare.detectedHow'), affectedSystems: t('declare.systems'), affectedServices: t('declare.services'),
    'personalData.categories': t('declare.categories'), 'personalData.approxPersons': t('declare.persons'),
    'personalData.approxRecords': t('declare.records'), personalData: t('declare.personal'), provider: t('declare.provider'),
  };
  const Heading = editing ? 'h3' : 'h1';
  return (
    <form onSubmit={submit} noValidate className="form" aria-label={editing ? t('incident.edit') : undefined}>
      <Heading>{editing ? t('incident.edit') : t('declare.title')}</Heading>
      <FormError error={error} labels={labels} />
      {!editing && (
        <Field label={labels.type} error={error?.field('type')} required>
          {(p) => (
            <select {...p} value={form.type} onChange={set('type')}>
              {INCIDENT_TYPES.map((type) => <option key={type} value={type}>{t(`type.${type}`)}</option>)}
            </select>
          )}
        </Field>
      )}
      <Field label={labels.title} error={error?.field('title')} required>
        {(p) => <input {...p} value={form.title} onChange={set('title')} />}
      </Field>
      {!editing && (
        <Field label={labels.awareAt} error={error?.field('awareAt')} hint={t('declare.awareAtHint')} required>
          {(p) => <input {...p} type="datetime-local" value={form.awareAt} onChange={set('awareAt')} />}
        </Field>
      )}
      <Field label={labels.startedAt} error={error?.field('startedAt')}>
        {(p) => <input {...p} type="datetime-local" value={form.startedAt} onChange={set('startedAt')} />}
      </Field>
      {editing && (
        <Field label={labels.endedAt} error={error?.field('endedAt')}>
          {(p) => <input {...p} type="datetime-local" value={form.endedAt} onChange={set('endedAt')} />}
        </Field>
      )}
      <Field label={labels.detectedHow} error={error?.field('detectedHow')}>
        {(p) => <textarea {...p} rows={3} value={form.detectedHow} onChange={set('detectedHow')} />}
      </Field>
      <Field label={labels.affectedSystems} error={error?.field('affectedSystems')}>
        {(p) => <textarea {...p} rows={2} value={form.systems} onChange={set('systems')} />}
      </Field>
      <Field label={labels.affectedServices} error={error?.field('affectedServices')}>
        {(p) => <textarea {...p} rows={2} value={form.services} onChange={set('services')} />}
      </Field>
      <fieldset>
        <legend>{t('declare.personal')}</legend>
        <label className="check"><input type="checkbox" checked={form.involved} onChange={set('involved')} /> {t('declare.personalYes')}</label>
        {form.involved && (
          <>
            <Field label={labels['personalData.categories']} error={error?.field('personalData.categories')}>
              {(p) => <textarea {...p} rows={3} value={form.categories} onChange={set('categories')} />}
            </Field>
            <Field label={labels['personalData.approxPersons']} error={error?.field('personalData.approxPersons')}>
              {(p) => <input {...p} inputMode="numeric" value={form.persons} onChange={set('persons')} />}
            </Field>
            <Field label={labels['personalData.approxRecords']} error={error?.field('personalData.approxRecords')}>
              {(p) => <input {...p} inputMode="numeric" value={form.records} onChange={set('records')} />}
            </Field>
            <label className="check"><input type="checkbox" checked={form.sensitive} onChange={set('sensitive')} /> {t('declare.sensitive')}</label>
            <label className="check"><input type="checkbox" checked={form.minors} onChange={set('minors')} /> {t('declare.minors')}</label>
          </>
        )}
      </fieldset>
      <Field label={labels.provider} error={error?.field('provider')}>
        {(p) => <input {...p} value={form.provider} onChange={set('provider')} />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{editing ? t('incident.saveEdit') : t('declare.submit')}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t('contacts.cancel')}</button>}
      </div>
    </form>
  );
}
