// The CNIL notification dossier, in the order of the CNIL's online form, with completeness shown
// field by field (each item links to its field) and the non-blocking consistency warnings.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { anchor, CAUSES, KINDS, ORIGINS, RISKS, toDossier, toForm, type CnilState, type Form, type Kind } from '../dossier-form.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad, useUnsavedWarning } from '../components/ui.tsx';

export function CnilSection({ base, canWrite, onSubmitted }: { base: string; canWrite: boolean; onSubmitted: () => void }) {
  const state = useLoad(() => api<CnilState>('GET', `${base}/cnil`), [base]);
  const [f, setF] = useState<Form>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (state.data?.dossier) setF(toForm(state.data.dossier));
  }, [state.data]);

  useUnsavedWarning(!!state.data && JSON.stringify(f) !== JSON.stringify(toForm(state.data.dossier)));

  if (!state.data) return <section id="cnil"><h2>{t('incident.cnil')}</h2><Loading error={state.error} /></section>;
  const { completeness, submissions } = state.data;
  const required = completeness.fields.filter((x) => x.required);
  const filled = required.filter((x) => x.filled).length;
  const warnings = completeness.warnings ?? [];
  const s = (k: string) => String(f[k] ?? '');
  const b = (k: string) => f[k] === true;
  const on = (k: string) => (e: { target: { value: string; type: string } }) =>
    setF({ ...f, [k]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value });

  const persist = async (kind?: Kind) => {
    const dossier = toDossier(f, state.data!.dossier);
    // The dossier sent with a notification says which kind it is, as the CNIL's form does.
    if (kind) dossier.notificationKind = kind;
    await api('PUT', `${base}/cnil`, dossier);
  };
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    setSaved(false);
    setSubmitted(false);
    try {
      await persist();
      setSaved(true);
      state.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const submit = async (kind: Kind) => {
    setError(null);
    setSaved(false);
    setSubmitted(false);
    try {
      await persist(kind);
      await api('POST', `${base}/cnil/submissions`, { kind });
      setSubmitted(true);
      state.reload();
      onSubmitted();
    } catch (err) {
      setError(err as ApiError);
      state.reload();
    }
  };

  const labels = Object.fromEntries(completeness.fields.map((x) => [x.path, x.label]));
  const err = (path: string) => error?.field(path);
  const warn = (path: string) => warnings.filter((w) => w.path === path).map((w) => w.message).join(' ') || undefined;
  // The kind of notification always changes from one to the next: it is not news for the CNIL.
  const substantive = (changes: { path: string; label: string }[]) => changes.filter((c) => c.path !== 'notificationKind');
  const uniqueLabels = (changes: { path: string; label: string }[]) => [...new Set(substantive(changes).map((c) => c.label))].join(', ');
  const ro = !canWrite;

  const input = (key: string, label: string, path: string, props: { type?: string; inputMode?: 'numeric'; id?: string } = {}) => (
    <Field label={label} error={err(path)} warning={warn(path)} id={props.id ?? anchor(path)}>
      {(p) => <input {...p} type={props.type ?? 'text'} inputMode={props.inputMode} value={s(key)} onChange={on(key)} disabled={ro} />}
    </Field>
  );
  const area = (key: string, label: string, path: string, rows = 3, id: string | undefined = anchor(path)) => (
    <Field label={label} error={err(path)} warning={warn(path)} id={id}>
      {(p) => <textarea {...p} rows={rows} value={s(key)} onChange={on(key)} disabled={ro} />}
    </Field>
  );
  const select = (key: string, label: string, path: string, options: readonly string[], prefix: string, id: string | undefined = anchor(path)) => (
    <Field label={label} error={err(path)} warning={warn(path)} id={id}>
      {(p) => (
        <select {...p} value={s(key)} onChange={on(key)} disabled={ro}>
          <option value="">{t('cnil.notSaid')}</option>
          {options.map((o) => <option key={o} value={o}>{t(`${prefix}.${o}` as MessageKey)}</option>)}
        </select>
      )}
    </Field>
  );
  const check = (key: string, label: string) => (
    <label className="check"><input type="checkbox" checked={b(key)} onChange={on(key)} disabled={ro} /> {label}</label>
  );
  const part = (path: string, legend: string, children: ReactNode) => (
    <fieldset id={anchor(path)} className="dossier-part">
      <legend>{legend}</legend>
      {error?.details.some((d) => d.path === path) && <p className="error-text">{error.details.find((d) => d.path === path)!.message}</p>}
      {children}
    </fieldset>
  );

  return (
    <section id="cnil" aria-labelledby="cnil-h">
      <h2 id="cnil-h">{t('incident.cnil')}</h2>
      <p className={completeness.complete ? 'alert alert-ok' : 'alert alert-warn'} id="cnil-completeness">
        {completeness.complete ? t('cnil.complete') : t('cnil.completeness', { filled, total: required.length })}
        {completeness.deadline && <> — {t('cnil.deadline', { date: formatDateTime(completeness.deadline) })}</>}
      </p>
      <ul className="completeness" aria-label={t('cnil.completenessList')}>
        {/* The reasons for a delay only matter once late: before that, they are not listed. */}
        {completeness.fields.filter((x) => x.path !== 'delayReasons' || x.required || x.filled).map((x) => (
          <li key={x.path} className={x.filled ? 'ok' : x.required ? 'missing' : 'optional'}>
            <span aria-hidden="true">{x.filled ? '✓' : x.required ? '✗' : '○'}</span>{' '}
            {x.filled || !canWrite ? x.label : <a href={`#${anchor(x.path)}`}>{x.label}</a>}
            <strong> — {x.filled ? t('cnil.filled') : x.required ? t('cnil.missing') : t('cnil.optional')}</strong>
          </li>
        ))}
      </ul>
      {warnings.length > 0 && (
        <div className="alert alert-warn">
          <p><strong>{t('cnil.warnings')}</strong></p>
          <ul>{warnings.map((w, i) => <li key={i}>{labels[w.path] ? `${labels[w.path]} : ` : ''}{w.message}</li>)}</ul>
        </div>
      )}
      {submissions.length > 0 && (
        <>
          <h3>{t('cnil.submissions')}</h3>
          <ul>
            {submissions.map((x) => (
              <li key={x.id}>
                {t('cnil.submission', { kind: t(`cnil.kind.${x.kind}` as MessageKey), date: formatDateTime(x.submittedAt), name: x.submittedByName })}
                {x.changes && <p className="submission-changes">{t('cnil.changes', { list: substantive(x.changes).length ? uniqueLabels(x.changes) : t('cnil.noChanges') })}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      <form onSubmit={(e) => void save(e)} noValidate className="form" aria-labelledby="cnil-h">
        <FormError error={error} labels={labels} />
        {saved && <Notice>{t('cnil.saved')}</Notice>}
        {submitted && <Notice>{t('cnil.submitted')}</Notice>}

        {part('notificationKind', t('cnil.part.notification'), (
          <>
            {select('notificationKind', t('cnil.notificationKind'), 'notificationKind', KINDS, 'cnil.kind', anchor('notificationKind') + '-field')}
            {input('previousNotificationReference', t('cnil.previousReference'), 'previousNotificationReference')}
          </>
        ))}
        {part('contact', t('cnil.part.contact'), (
          <>
            {input('contactName', t('cnil.contactName'), 'contact.name')}
            {input('contactRole', t('cnil.contactRole'), 'contact.role')}
            {input('contactEmail', t('cnil.contactEmail'), 'contact.email', { type: 'email' })}
            {input('contactPhone', t('cnil.contactPhone'), 'contact.phone', { type: 'tel' })}
          </>
        ))}
        {part('dates', t('cnil.part.dates'), (
          <>
            {input('startedAt', t('cnil.startedAt'), 'dates.startedAt', { type: 'datetime-local' })}
            {check('startUnknown', t('cnil.startUnknown'))}
            {input('discoveredAt', t('cnil.discoveredAt'), 'dates.discoveredAt', { type: 'datetime-local' })}
            {input('endedAt', t('cnil.endedAt'), 'dates.endedAt', { type: 'datetime-local' })}
            {check('ongoing', t('cnil.ongoing'))}
            {warn('dates.ongoing') && <p className="warning-text"><strong>{t('common.check')}</strong> {warn('dates.ongoing')}</p>}
            {area('detectionMethod', t('cnil.detectionMethod'), 'detectionMethod', 2)}
          </>
        ))}
        {part('nature', t('cnil.part.nature'), (
          <>
            <fieldset>
              <legend>{t('cnil.nature')}</legend>
              {check('confidentiality', t('cnil.confidentiality'))}
              {check('integrity', t('cnil.integrity'))}
              {check('availability', t('cnil.availability'))}
            </fieldset>
            {select('origin', t('cnil.origin'), 'origin', ORIGINS, 'cnil.origin')}
            {area('howItHappened', t('cnil.howItHappened'), 'howItHappened')}
            {select('cause', t('cnil.cause'), 'cause', CAUSES, 'cnil.cause')}
          </>
        ))}
        {part('persons', t('cnil.part.persons'), (
          <>
            {input('personsCount', t('cnil.personsCount'), 'persons.approxCount', { inputMode: 'numeric' })}
            {area('personsCategories', t('cnil.personsCategories'), 'persons.categories')}
            {select('minors', t('cnil.minors'), 'persons.minors', ['yes', 'no'], 'cnil.yesNo')}
            {select('vulnerable', t('cnil.vulnerable'), 'persons.vulnerable', ['yes', 'no'], 'cnil.yesNo')}
            {input('recordsCount', t('cnil.recordsCount'), 'records.approxCount', { inputMode: 'numeric' })}
            {area('dataCategories', t('cnil.dataCategories'), 'dataCategories')}
            {check('sensitiveNone', t('cnil.sensitiveNone'))}
            {!b('sensitiveNone') && area('sensitiveData', t('cnil.sensitiveData'), 'sensitiveData', 2)}
            {select('riskLevel', t('cnil.riskLevel'), 'riskLevel', RISKS, 'cnil.risk')}
            {area('consequences', t('cnil.consequences'), 'consequences')}
          </>
        ))}
        {part('measures', t('cnil.part.measures'), (
          <>
            {area('measuresTaken', t('cnil.measuresTaken'), 'measuresTaken')}
            {area('measuresPlanned', t('cnil.measuresPlanned'), 'measuresPlanned')}
          </>
        ))}
        {part('personsInformed', t('cnil.part.informed'), (
          <>
            {select('informed', t('cnil.informed'), 'personsInformed.status', ['yes', 'planned', 'no'], 'cnil.informed')}
            {s('informed') === 'no' ? (
              area('reasonNot', t('cnil.reasonNot'), 'personsInformed.reasonNot', 2)
            ) : (
              <>
                {area('informedHow', t('cnil.informedHow'), 'personsInformed.how', 2)}
                {input('informedWhen', t('cnil.informedWhen'), 'personsInformed.when', { type: 'datetime-local' })}
                {area('informedContent', t('cnil.informedContent'), 'personsInformed.content', 3)}
              </>
            )}
          </>
        ))}
        {part('crossBorder', t('cnil.part.crossBorder'), (
          <>
            {select('crossBorder', t('cnil.crossBorder'), 'crossBorder.involved', ['yes', 'no'], 'cnil.yesNo', anchor('crossBorder') + '-field')}
            {s('crossBorder') === 'yes' && area('countries', t('cnil.countries'), 'crossBorder.countries', 2)}
            {s('crossBorder') === 'yes' && input('otherAuthorities', t('cnil.otherAuthorities'), 'crossBorder.otherAuthorities')}
          </>
        ))}
        {area('otherReports', t('cnil.otherReports'), 'otherReports', 2)}
        {(completeness.late || s('delayReasons')) && area('delayReasons', t('cnil.delayReasons'), 'delayReasons')}
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
