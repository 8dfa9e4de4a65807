import { useState, type FormEvent } from 'react';
import { api, ApiError, orgUrl } from '../api.ts';
import { formatDate } from '../format.ts';
import { t } from '../i18n/index.ts';
import { allowed, useSession } from '../session.ts';
import { Field, FormError, Loading, useLoad } from '../components/ui.tsx';

const CATEGORIES = ['prestataire_it', 'assureur', 'police', 'gendarmerie', 'prefecture', 'dpo', 'presse', 'autre'] as const;
interface Contact { id: string; category: string; name: string; organisation: string | null; phone: string | null; email: string | null; notes: string | null }
interface National { checkedOn: string; contacts: { id: string; name: string; role: string; phone?: string; email?: string; url?: string; notes?: string }[] }

export function ContactsPage({ orgId }: { orgId: string }) {
  const { membership } = useSession();
  const canWrite = allowed(membership(orgId), 'contacts');
  const national = useLoad(() => api<National>('GET', '/api/v1/contacts/national'), []);
  const local = useLoad(() => api<Contact[]>('GET', orgUrl(orgId, '/contacts')), [orgId]);
  const empty = { category: 'prestataire_it', name: '', organisation: '', phone: '', email: '', notes: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<ApiError | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', orgUrl(orgId, '/contacts'), Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v === '' && k !== 'name' ? null : v])));
      setForm(empty);
      local.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const remove = async (id: string) => {
    await api('DELETE', orgUrl(orgId, `/contacts/${id}`));
    local.reload();
  };
  return (
    <>
      <h1>{t('contacts.title')}</h1>
      <section aria-labelledby="local-h">
        <h2 id="local-h">{t('contacts.local')}</h2>
        {!local.data ? <Loading error={local.error} /> : local.data.length === 0 ? <p>{t('contacts.none')}</p> : (
          <ul className="cards">
            {local.data.map((c) => (
              <li key={c.id} className="card">
                <h3>{c.name}</h3>
                <p className="muted">{t(`contact.${c.category}` as never)}{c.organisation ? ` — ${c.organisation}` : ''}</p>
                {c.phone && <p><a href={`tel:${c.phone.replace(/\s/g, '')}`}>{c.phone}</a></p>}
                {c.email && <p><a href={`mailto:${c.email}`}>{c.email}</a></p>}
                {c.notes && <p>{c.notes}</p>}
                {canWrite && <button type="button" className="link-button" onClick={() => void remove(c.id)}>{t('contacts.delete')}<span className="visually-hidden"> : {c.name}</span></button>}
              </li>
            ))}
          </ul>
        )}
        {canWrite && (
          <form onSubmit={add} noValidate className="form compact">
            <FormError error={error} />
            <Field label={t('contacts.category')}>
              {(p) => <select {...p} value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value })}>{CATEGORIES.map((c) => <option key={c} value={c}>{t(`contact.${c}`)}</option>)}</select>}
            </Field>
            <Field label={t('contacts.name')} error={error?.field('name')} required>{(p) => <input {...p} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}</Field>
            <Field label={t('contacts.organisation')} error={error?.field('organisation')}>{(p) => <input {...p} value={form.organisation} onChange={(e) => setForm({ ...form, organisation: e.target.value })} />}</Field>
            <Field label={t('contacts.phone')} error={error?.field('phone')}>{(p) => <input {...p} type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />}</Field>
            <Field label={t('contacts.email')} error={error?.field('email')}>{(p) => <input {...p} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}</Field>
            <Field label={t('contacts.notes')} error={error?.field('notes')}>{(p) => <textarea {...p} rows={2} value={form.notes} onChange={(e) => setForm({ ...form, notes: e.target.value })} />}</Field>
            <button type="submit" className="primary">{t('contacts.add')}</button>
          </form>
        )}
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
