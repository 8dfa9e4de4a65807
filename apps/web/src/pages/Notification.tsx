import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad, useUnsavedWarning } from '../components/ui.tsx';

interface Entry { facts: string; effects: string; remedialActions: string; notified: boolean; reasonNotNotified: string | null }

export function RegisterSection({ base, canWrite }: { base: string; canWrite: boolean }) {
  const entry = useLoad(() => api<Entry>('GET', `${base}/register-entry`), [base]);
  const [form, setForm] = useState<Entry | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(entry.data), [entry.data]);
  useUnsavedWarning(!!form && !!entry.data && !saved && JSON.stringify(form) !== JSON.stringify(entry.data));
  if (!form) return <section id="registre"><h2>{t('incident.register')}</h2><Loading error={entry.error} /></section>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api('PUT', `${base}/register-entry`, { ...form, reasonNotNotified: form.notified ? null : form.reasonNotNotified });
      setSaved(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const text = (key: 'facts' | 'effects' | 'remedialActions', label: string) => (
    <Field label={label} error={error?.field(key)}>
      {(p) => <textarea {...p} rows={3} value={form[key]} disabled={!canWrite} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <section id="registre" aria-labelledby="registre-h">
      <h2 id="registre-h">{t('incident.register')}</h2>
      <p>{t('register.intro')}</p>
      <form onSubmit={submit} noValidate className="form">
        <FormError error={error} labels={{ facts: t('register.facts'), effects: t('register.effects'), remedialActions: t('register.remedial'), reasonNotNotified: t('register.reason') }} />
        {saved && <Notice>{t('register.saved')}</Notice>}
        {text('facts', t('register.facts'))}
        {text('effects', t('register.effects'))}
        {text('remedialActions', t('register.remedial'))}
        <label className="check">
          <input type="checkbox" checked={form.notified} disabled={!canWrite} onChange={(e) => setForm({ ...form, notified: e.target.checked })} /> {t('register.notified')}
        </label>
        {!form.notified && (
          <Field label={t('register.reason')} error={error?.field('reasonNotNotified')} required>
            {(p) => <textarea {...p} rows={2} value={form.reasonNotNotified ?? ''} disabled={!canWrite} onChange={(e) => setForm({ ...form, reasonNotNotified: e.target.value })} />}
          </Field>
        )}
        {canWrite && <button type="submit">{t('register.save')}</button>}
      </form>
    </section>
  );
}

export function NoticeSection({ base, canWrite }: { base: string; canWrite: boolean }) {
  const notice = useLoad(() => api<{ title: string; body: string; saved: boolean }>('GET', `${base}/notice`), [base]);
  const [form, setForm] = useState<{ title: string; body: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(notice.data ? { title: notice.data.title, body: notice.data.body } : null), [notice.data]);
  useUnsavedWarning(!!form && !!notice.data && !saved && (form.title !== notice.data.title || form.body !== notice.data.body));
  if (!form || !notice.data) return <section id="note"><h2>{t('incident.notice')}</h2><Loading error={notice.error} /></section>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api('PUT', `${base}/notice`, form);
      setSaved(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section id="note" aria-labelledby="note-h">
      <h2 id="note-h">{t('incident.notice')}</h2>
      {!notice.data.saved && !saved && <p className="alert alert-info">{t('notice.draft')}</p>}
      <form onSubmit={submit} noValidate className="form">
        <FormError error={error} labels={{ title: t('notice.titleField'), body: t('notice.body') }} />
        {saved && <Notice>{t('notice.saved')}</Notice>}
        <Field label={t('notice.titleField')} error={error?.field('title')} required>
          {(p) => <input {...p} value={form.title} disabled={!canWrite} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <Field label={t('notice.body')} error={error?.field('body')} required>
          {(p) => <textarea {...p} rows={16} value={form.body} disabled={!canWrite} onChange={(e) => setForm({ ...form, body: e.target.value })} />}
        </Field>
        {canWrite && <button type="submit">{t('notice.save')}</button>}
      </form>
    </section>
  );
}
