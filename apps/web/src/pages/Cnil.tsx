import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { formatDateTime, isoToLocalInput, lines, localInputToIso } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';

interface Dossier {
  notificationKind?: string;
  contact?: { name?: string; role?: string; email?: string; phone?: string };
  dates?: { startedAt?: string; startUnknown?: boolean; discoveredAt?: string; endedAt?: string; ongoing?: boolean };
  nature?: { confidentiality?: boolean; integrity?: boolean; availability?: boolean };
  howItHappened?: string;
  persons?: { approxCount?: number; categories?: string[]; minors?: boolean };
  records?: { approxCount?: number };
  dataCategories?: string[];
  consequences?: string;
  measuresTaken?: string;
  measuresPlanned?: string;
  personsInformed?: { status?: 'yes' | 'planned' | 'no'; how?: string; reasonNot?: string };
  crossBorder?: { involved?: boolean };
  otherReports?: string;
  delayReasons?: string;
}
interface CnilState {
  dossier: Dossier;
  completeness: { complete: boolean; late: boolean; fields: { path: string; label: string; filled: boolean; required: boolean }[] };
  submissions: { id: string; kind: string; submittedAt: string; submittedByName: string; changes?: { path: string; label: string }[] | null }[];
}

const clean = <T extends object>(o: T): T | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
};
const num = (v: string) => (v.trim() === '' ? undefined : Number(v.replace(/\s/g, '')));

export function CnilSection({ base, canWrite, onSubmitted }: { base: string; canWrite: boolean; onSubmitted: () => void }) {
  const state = useLoad(() => api<CnilState>('GET', `${base}/cnil`), [base]);
  const [f, setF] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    const d = state.data?.dossier;
    if (!d) return;
    setF({
      contactName: d.contact?.name ?? '', contactEmail: d.contact?.email ?? '', contactPhone: d.contact?.phone ?? '',
      startedAt: isoToLocalInput(d.dates?.startedAt), startUnknown: !!d.dates?.startUnknown, discoveredAt: isoToLocalInput(d.dates?.discoveredAt),
      endedAt: isoToLocalInput(d.dates?.endedAt), ongoing: !!d.dates?.ongoing,
      confidentiality: !!d.nature?.confidentiality, integrity: !!d.nature?.integrity, availability: !!d.nature?.availability,
      howItHappened: d.howItHappened ?? '', personsCount: d.persons?.approxCount?.toString() ?? '', personsCategories: (d.persons?.categories ?? []).join('\n'),
      recordsCount: d.records?.approxCount?.toString() ?? '', dataCategories: (d.dataCategories ?? []).join('\n'), consequences: d.consequences ?? '',
      measuresTaken: d.measuresTaken ?? '', measuresPlanned: d.measuresPlanned ?? '', informed: d.personsInformed?.status ?? '',
      informedHow: d.personsInformed?.how ?? '', reasonNot: d.personsInformed?.reasonNot ?? '',
      crossBorder: d.crossBorder?.involved === undefined ? '' : d.crossBorder.involved ? 'yes' : 'no', otherReports: d.otherReports ?? '', delayReasons: d.delayReasons ?? '',
    });
  }, [state.data]);

  if (!state.data) return <section id="cnil"><h2>{t('incident.cnil')}</h2><Loading error={state.error} /></section>;
  const { completeness, submissions } = state.data;
  const required = completeness.fields.filter((x) => x.required);
  const filled = required.filter((x) => x.filled).length;
  const s = (k: string) => String(f[k] ?? '');
  const b = (k: string) => !!f[k];
  const on = (k: string) => (e: { target: { value: string; type: string } }) =>
    setF({ ...f, [k]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value });

  const dossier = (): Dossier => ({
    ...state.data!.dossier,
    contact: clean({ name: s('contactName'), role: state.data!.dossier.contact?.role, email: s('contactEmail'), phone: s('contactPhone') }),
    dates: clean({ startedAt: localInputToIso(s('startedAt')), startUnknown: b('startUnknown') || undefined, discoveredAt: localInputToIso(s('discoveredAt')), endedAt: localInputToIso(s('endedAt')), ongoing: b('ongoing') || undefined }),
    nature: clean({ confidentiality: b('confidentiality') || undefined, integrity: b('integrity') || undefined, availability: b('availability') || undefined }),
    howItHappened: s('howItHappened') || undefined,
    persons: clean({ approxCount: num(s('personsCount')), categories: lines(s('personsCategories')), minors: state.data!.dossier.persons?.minors }),
    records: clean({ approxCount: num(s('recordsCount')) }),
    dataCategories: lines(s('dataCategories')),
    consequences: s('consequences') || undefined,
    measuresTaken: s('measuresTaken') || undefined,
    measuresPlanned: s('measuresPlanned') || undefined,
    personsInformed: clean({ status: (s('informed') || undefined) as 'yes' | undefined, how: s('informedHow'), reasonNot: s('reasonNot') }),
    crossBorder: s('crossBorder') ? { involved: s('crossBorder') === 'yes' } : undefined,
    otherReports: s('otherReports') || undefined,
    delayReasons: s('delayReasons') || undefined,
  });

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api('PUT', `${base}/cnil`, dossier());
      setSaved(true);
      state.reload();
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    }
  };
  const submit = async (kind: 'initial' | 'complementary' | 'complete') => {
    setSubmitted(false);
    if (!(await save())) return;
    try {
      await api('POST', `${base}/cnil/submissions`, { kind });
      setSaved(false);
      setSubmitted(true);
      state.reload();
      onSubmitted();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const err = (path: string) => error?.field(path);
  // The server names dossier paths; the summary shows the same labels as the completeness list.
  const labels = {
    ...Object.fromEntries(completeness.fields.map((x) => [x.path, x.label])),
    'contact.email': t('cnil.contactEmail'), 'contact.phone': t('cnil.contactPhone'),
  };
  const uniqueLabels = (changes: { label: string }[]) => [...new Set(changes.map((c) => c.label))].join(', ');
  const text = (key: string, label: string, path: string, rows = 3) => (
    <Field label={label} error={err(path)}>{(p) => <textarea {...p} rows={rows} value={s(key)} onChange={on(key)} disabled={!canWrite} />}</Field>
  );

  return (
    <section id="cnil" aria-labelledby="cnil-h">
      <h2 id="cnil-h">{t('incident.cnil')}</h2>
      <p className={completeness.complete ? 'alert alert-ok' : 'alert alert-warn'}>
        {completeness.complete ? t('cnil.complete') : t('cnil.completeness', { filled, total: required.length })}
      </p>
      <ul className="completeness">
        {completeness.fields.filter((x) => x.required).map((x) => (
          <li key={x.path} className={x.filled ? 'ok' : 'missing'}>
            <span aria-hidden="true">{x.filled ? '✓' : '✗'}</span> {x.label}{!x.filled && <strong> — {t('cnil.missing')}</strong>}
          </li>
        ))}
      </ul>
      {submissions.length > 0 && (
        <>
          <h3>{t('cnil.submissions')}</h3>
          <ul>
            {submissions.map((x) => (
              <li key={x.id}>
                {t('cnil.submission', { kind: t(`cnil.kind.${x.kind}` as never), date: formatDateTime(x.submittedAt), name: x.submittedByName })}
                {x.changes && (
                  <p className="submission-changes">{t('cnil.changes', { list: x.changes.length ? uniqueLabels(x.changes) : t('cnil.noChanges') })}</p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <form onSubmit={(e) => void save(e)} noValidate className="form">
        <FormError error={error} labels={labels} />
        {saved && <Notice>{t('cnil.saved')}</Notice>}
        {submitted && <Notice>{t('cnil.submitted')}</Notice>}
        <Field label={t('cnil.contactName')} error={err('contact')}>{(p) => <input {...p} value={s('contactName')} onChange={on('contactName')} disabled={!canWrite} />}</Field>
        <Field label={t('cnil.contactEmail')} error={err('contact.email')}>{(p) => <input {...p} type="email" value={s('contactEmail')} onChange={on('contactEmail')} disabled={!canWrite} />}</Field>
        <Field label={t('cnil.contactPhone')}>{(p) => <input {...p} type="tel" value={s('contactPhone')} onChange={on('contactPhone')} disabled={!canWrite} />}</Field>
        <Field label={t('cnil.startedAt')} error={err('dates.startedAt')}>{(p) => <input {...p} type="datetime-local" value={s('startedAt')} onChange={on('startedAt')} disabled={!canWrite} />}</Field>
        <label className="check"><input type="checkbox" checked={b('startUnknown')} onChange={on('startUnknown')} disabled={!canWrite} /> {t('cnil.startUnknown')}</label>
        <Field label={t('cnil.discoveredAt')} error={err('dates.discoveredAt')}>{(p) => <input {...p} type="datetime-local" value={s('discoveredAt')} onChange={on('discoveredAt')} disabled={!canWrite} />}</Field>
        <Field label={t('cnil.endedAt')} error={err('dates.endedAt')}>{(p) => <input {...p} type="datetime-local" value={s('endedAt')} onChange={on('endedAt')} disabled={!canWrite} />}</Field>
        <label className="check"><input type="checkbox" checked={b('ongoing')} onChange={on('ongoing')} disabled={!canWrite} /> {t('cnil.ongoing')}</label>
        <fieldset>
          <legend>{t('cnil.nature')}</legend>
          {(['confidentiality', 'integrity', 'availability'] as const).map((k) => (
            <label className="check" key={k}><input type="checkbox" checked={b(k)} onChange={on(k)} disabled={!canWrite} /> {t(`cnil.${k}`)}</label>
          ))}
        </fieldset>
        {text('howItHappened', t('cnil.howItHappened'), 'howItHappened')}
        <Field label={t('cnil.personsCount')} error={err('persons.approxCount')}>{(p) => <input {...p} inputMode="numeric" value={s('personsCount')} onChange={on('personsCount')} disabled={!canWrite} />}</Field>
        {text('personsCategories', t('cnil.personsCategories'), 'persons.categories')}
        <Field label={t('cnil.recordsCount')} error={err('records.approxCount')}>{(p) => <input {...p} inputMode="numeric" value={s('recordsCount')} onChange={on('recordsCount')} disabled={!canWrite} />}</Field>
        {text('dataCategories', t('cnil.dataCategories'), 'dataCategories')}
        {text('consequences', t('cnil.consequences'), 'consequences')}
        {text('measuresTaken', t('cnil.measuresTaken'), 'measuresTaken')}
        {text('measuresPlanned', t('cnil.measuresPlanned'), 'measuresPlanned')}
        <Field label={t('cnil.informed')} error={err('personsInformed')}>
          {(p) => (
            <select {...p} value={s('informed')} onChange={on('informed')} disabled={!canWrite}>
              <option value="">—</option>
              {(['yes', 'planned', 'no'] as const).map((k) => <option key={k} value={k}>{t(`cnil.informed.${k}`)}</option>)}
            </select>
          )}
        </Field>
        {s('informed') === 'no' ? text('reasonNot', t('cnil.reasonNot'), 'personsInformed.reasonNot', 2) : text('informedHow', t('cnil.informedHow'), 'personsInformed.how', 2)}
        <Field label={t('cnil.crossBorder')} error={err('crossBorder')}>
          {(p) => (
            <select {...p} value={s('crossBorder')} onChange={on('crossBorder')} disabled={!canWrite}>
              <option value="">—</option>
              <option value="no">{t('cnil.crossBorder.no')}</option>
              <option value="yes">{t('cnil.crossBorder.yes')}</option>
            </select>
          )}
        </Field>
        {text('otherReports', t('cnil.otherReports'), 'otherReports', 2)}
        {(completeness.late || s('delayReasons')) && text('delayReasons', t('cnil.delayReasons'), 'delayReasons')}
        {canWrite && (
          <div className="actions">
            <button type="submit">{t('cnil.save')}</button>
            {submissions.length === 0 ? (
              <button type="button" className="primary" onClick={() => void submit('initial')}>{t('cnil.submitInitial')}</button>
            ) : (
              <>
                <button type="button" className="primary" onClick={() => void submit('complementary')}>{t('cnil.submitComplementary')}</button>
                <button type="button" onClick={() => void submit('complete')}>{t('cnil.submitComplete')}</button>
              </>
            )}
          </div>
        )}
      </form>
    </section>
  );
}
