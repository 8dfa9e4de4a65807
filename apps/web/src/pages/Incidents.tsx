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
  const [form, setForm] = useState({
    type: 'exfiltration', title: '', awareAt: isoToLocalInput(new Date().toISOString()), startedAt: '', detectedHow: '',
    systems: '', services: '', involved: true, categories: '', persons: '', records: '', sensitive: false, minors: false, provider: '',
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setForm({ ...form, [key]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const number = (v: string) => (v.trim() === '' ? null : Number(v.replace(/\s/g, '')));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api<Incident>('POST', orgUrl(orgId, '/incidents'), {
        type: form.type,
        title: form.title,
        awareAt: localInputToIso(form.awareAt) ?? '',
        startedAt: localInputToIso(form.startedAt) ?? null,
        detectedHow: form.detectedHow,
        affectedSystems: lines(form.systems),
        affectedServices: lines(form.services),
        personalData: { involved: form.involved, categories: lines(form.categories), approxPersons: number(form.persons), approxRecords: number(form.records), sensitive: form.sensitive, minors: form.minors },
        provider: form.provider || null,
      });
      navigate(`/o/${orgId}/incidents/${created.id}`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const labels = {
    type: t('declare.type'), title: t('declare.titleField'), awareAt: t('declare.awareAt'), startedAt: t('declare.startedAt'),
    detectedHow: t('declare.detectedHow'), affectedSystems: t('declare.systems'), affectedServices: t('declare.services'),
    'personalData.categories': t('declare.categories'), 'personalData.approxPersons': t('declare.persons'),
    'personalData.approxRecords': t('declare.records'), personalData: t('declare.personal'), provider: t('declare.provider'),
  };
  return (
    <form onSubmit={submit} noValidate className="form">
      <h1>{t('declare.title')}</h1>
      <FormError error={error} labels={labels} />
      <Field label={t('declare.type')} error={error?.field('type')} required>
        {(p) => (
          <select {...p} value={form.type} onChange={set('type')}>
            {INCIDENT_TYPES.map((type) => <option key={type} value={type}>{t(`type.${type}`)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t('declare.titleField')} error={error?.field('title')} required>
        {(p) => <input {...p} value={form.title} onChange={set('title')} />}
      </Field>
      <Field label={t('declare.awareAt')} error={error?.field('awareAt')} required>
        {(p) => <input {...p} type="datetime-local" value={form.awareAt} onChange={set('awareAt')} />}
      </Field>
      <Field label={t('declare.startedAt')} error={error?.field('startedAt')}>
        {(p) => <input {...p} type="datetime-local" value={form.startedAt} onChange={set('startedAt')} />}
      </Field>
      <Field label={t('declare.detectedHow')} error={error?.field('detectedHow')}>
        {(p) => <textarea {...p} rows={3} value={form.detectedHow} onChange={set('detectedHow')} />}
      </Field>
      <Field label={t('declare.systems')} error={error?.field('affectedSystems')}>
        {(p) => <textarea {...p} rows={2} value={form.systems} onChange={set('systems')} />}
      </Field>
      <Field label={t('declare.services')} error={error?.field('affectedServices')}>
        {(p) => <textarea {...p} rows={2} value={form.services} onChange={set('services')} />}
      </Field>
      <fieldset>
        <legend>{t('declare.personal')}</legend>
        <label className="check"><input type="checkbox" checked={form.involved} onChange={set('involved')} /> {t('common.yes')}</label>
        {form.involved && (
          <>
            <Field label={t('declare.categories')} error={error?.field('personalData.categories')}>
              {(p) => <textarea {...p} rows={3} value={form.categories} onChange={set('categories')} />}
            </Field>
            <Field label={t('declare.persons')} error={error?.field('personalData.approxPersons')}>
              {(p) => <input {...p} inputMode="numeric" value={form.persons} onChange={set('persons')} />}
            </Field>
            <Field label={t('declare.records')} error={error?.field('personalData.approxRecords')}>
              {(p) => <input {...p} inputMode="numeric" value={form.records} onChange={set('records')} />}
            </Field>
            <label className="check"><input type="checkbox" checked={form.sensitive} onChange={set('sensitive')} /> {t('declare.sensitive')}</label>
            <label className="check"><input type="checkbox" checked={form.minors} onChange={set('minors')} /> {t('declare.minors')}</label>
          </>
        )}
      </fieldset>
      <Field label={t('declare.provider')} error={error?.field('provider')}>
        {(p) => <input {...p} value={form.provider} onChange={set('provider')} />}
      </Field>
      <button type="submit" className="primary" disabled={busy}>{t('declare.submit')}</button>
    </form>
  );
}
