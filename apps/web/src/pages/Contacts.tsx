import { useState, type FormEvent } from 'react';
import { api, ApiError, orgUrl } from '../api.ts';
import { formatDate } from '../format.ts';
import { t } from '../i18n/index.ts';
import { allowed, useSession } from '../session.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';

const CATEGORIES = ['prestataire_it', 'assureur', 'police', 'gendarmerie', 'prefecture', 'dpo', 'presse', 'autre'] as const;
interface Contact { id: string; category: string; name: string; organisation: string | null; phone: string | null; email: string | null; notes: string | null }
interface National { checkedOn: string; contacts: { id: string; name: string; role: string; phone?: string; email?: string; url?: string; notes?: string }[] }

type ContactInput = { category: string; name: string; organisation: string; phone: string; email: string; notes: string };
const EMPTY: ContactInput = { category: 'prestataire_it', name: '', organisation: '', phone: '', email: '', notes: '' };
// Empty optional fields are sent as null so that clearing a phone number really clears it.
const toBody = (form: ContactInput) => Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim() === '' && k !== 'name' ? null : v]));
const toInput = (c: Contact): ContactInput => ({ category: c.category, name: c.name, organisation: c.organisation ?? '', phone: c.phone ?? '', email: c.email ?? '', notes: c.notes ?? '' });

function ContactForm({ initial, title, submitLabel, onSubmit, onCancel }: {
  initial: ContactInput; title: string; submitLabel: string; onSubmit: (form: ContactInput) => Promise<void>; onCancel?: () => void;
}) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (key: keyof ContactInput) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await onSubmit(form);
      setForm(initial);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const labels = { category: t('contacts.category'), name: t('contacts.name'), organisation: t('contacts.organisation'), phone: t('contacts.phone'), email: t('contacts.email'), notes: t('contacts.notes') };
  return (
    <form onSubmit={submit} noValidate className="form compact" aria-label={title}>
      <h3>{title}</h3>
      <FormError error={error} labels={labels} />
      <Field label={labels.category} error={error?.field('category')}>
        {(p) => <select {...p} value={form.category} onChange={set('category')}>{CATEGORIES.map((c) => <option key={c} value={c}>{t(`contact.${c}`)}</option>)}</select>}
      </Field>
      <Field label={labels.name} error={error?.field('name')} required>{(p) => <input {...p} value={form.name} onChange={set('name')} />}</Field>
      <Field label={labels.organisation} error={error?.field('organisation')}>{(p) => <input {...p} value={form.organisation} onChange={set('organisation')} />}</Field>
      <Field label={labels.phone} error={error?.field('phone')}>{(p) => <input {...p} type="tel" autoComplete="off" value={form.phone} onChange={set('phone')} />}</Field>
      <Field label={labels.email} error={error?.field('email')}>{(p) => <input {...p} type="email" autoComplete="off" value={form.email} onChange={set('email')} />}</Field>
      <Field label={labels.notes} error={error?.field('notes')}>{(p) => <textarea {...p} rows={2} value={form.notes} onChange={set('notes')} />}</Field>
      <div className="actions">
        <button type="submit" className="primary">{submitLabel}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t('contacts.cancel')}</button>}
      </div>
    </form>
  );
}

export function ContactsPage({ orgId }: { orgId: string }) {
  const { membership } = useSession();
  const canWrite = allowed(membership(orgId), 'contacts');
  const national = useLoad(() => api<National>('GET', '/api/v1/contacts/national'), []);
  const local = useLoad(() => api<Contact[]>('GET', orgUrl(orgId, '/contacts')), [orgId]);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const add = async (form: ContactInput) => {
    setDone(null);
    await api('POST', orgUrl(orgId, '/contacts'), toBody(form));
    setDone(t('contacts.saved'));
    local.reload();
  };
  const update = async (id: string, form: ContactInput) => {
    setDone(null);
    await api('PATCH', orgUrl(orgId, `/contacts/${id}`), toBody(form));
    setEditing(null);
    setDone(t('contacts.saved'));
    local.reload();
  };
  const remove = async (id: string) => {
    setError(null);
    setDone(null);
    try {
      await api('DELETE', orgUrl(orgId, `/contacts/${id}`));
      setDeleting(null);
      setDone(t('contacts.deleted'));
      local.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <h1>{t('contacts.title')}</h1>
      <section aria-labelledby="local-h">
        <h2 id="local-h">{t('contacts.local')}</h2>
        <FormError error={error} />
        {done && <Notice>{done}</Notice>}
        {!local.data ? <Loading error={local.error} /> : local.data.length === 0 ? <p>{t('contacts.none')}</p> : (
          <ul className="cards">
            {local.data.map((c) => (
              <li key={c.id} className="card">
                {editing === c.id ? (
                  <ContactForm initial={toInput(c)} title={t('contacts.editTitle', { name: c.name })} submitLabel={t('contacts.saveEdit')} onSubmit={(form) => update(c.id, form)} onCancel={() => setEditing(null)} />
                ) : (
                  <>
                    <h3>{c.name}</h3>
                    <p className="muted">{t(`contact.${c.category}` as never)}{c.organisation ? ` — ${c.organisation}` : ''}</p>
                    {c.phone && <p><a href={`tel:${c.phone.replace(/\s/g, '')}`}>{c.phone}</a></p>}
                    {c.email && <p><a href={`mailto:${c.email}`}>{c.email}</a></p>}
                    {c.notes && <p className="notes">{c.notes}</p>}
                    {canWrite && deleting !== c.id && (
                      <div className="card-actions">
                        <button type="button" className="link-button" onClick={() => setEditing(c.id)}>{t('contacts.edit')}<span className="visually-hidden"> : {c.name}</span></button>
                        <button type="button" className="link-button" onClick={() => setDeleting(c.id)}>{t('contacts.delete')}<span className="visually-hidden"> : {c.name}</span></button>
                      </div>
                    )}
                    {deleting === c.id && (
                      <div className="confirm" role="group" aria-label={t('contacts.confirmDelete', { name: c.name })}>
                        <p>{t('contacts.confirmDelete', { name: c.name })}</p>
                        <button type="button" className="primary" onClick={() => void remove(c.id)}>{t('contacts.deleteYes')}</button>
                        <button type="button" onClick={() => setDeleting(null)}>{t('contacts.cancel')}</button>
                      </div>
                    )}
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        {canWrite && <ContactForm initial={EMPTY} title={t('contacts.addTitle')} submitLabel={t('contacts.add')} onSubmit={add} />}
      </section>
      <section aria-labelledby="national-h">
        <h2 id="national-h">{t('contacts.national')}</h2>
        {!national.data ? <Loading error={national.error} /> : (
          <>
            <p className="muted">{t('contacts.checkedOn', { date: formatDate(national.data.checkedOn) })}</p>
            <ul className="cards">
              {national.data.contacts.map((c) => (
                <li key={c.id} className="card">
                  <h3>{c.name}</h3>
                  <p>{c.role}</p>
                  {c.phone && <p><a href={`tel:${c.phone.replace(/\s/g, '')}`}>{c.phone}</a></p>}
                  {c.url && <p><a href={c.url} rel="noreferrer noopener" target="_blank">{c.url}</a></p>}
                  {c.notes && <p className="muted">{c.notes}</p>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
