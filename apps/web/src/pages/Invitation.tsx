import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { Field, FormError, Loading, useLoad } from '../components/ui.tsx';

export function InvitationPage({ token }: { token: string }) {
  const invitation = useLoad(() => api<{ email: string; organisationName: string; role: string }>('GET', `/api/v1/auth/invitations/${encodeURIComponent(token)}`), [token]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    document.title = `${t('invite.title', { org: invitation.data?.organisationName ?? '' })} — ${t('app.name')}`;
  }, [invitation.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/api/v1/auth/invitations/${encodeURIComponent(token)}/accept`, { name, password });
      setDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <>
      <a className="skip-link" href="#contenu">{t('app.skip')}</a>
    <main id="contenu" className="narrow login">
      <p className="brand big"><span className="brand-mark" aria-hidden="true">▲</span> {t('app.name')}</p>
      {!invitation.data ? (
        <Loading error={invitation.error} />
      ) : done ? (
        <div role="status">
          <h1>{t('invite.title', { org: invitation.data.organisationName })}</h1>
          <p>{t('invite.done')}</p>
          <Link href="/" className="button primary">{t('invite.toLogin')}</Link>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <h1>{t('invite.title', { org: invitation.data.organisationName })}</h1>
          <p>{t('invite.intro', { email: invitation.data.email, role: t(`role.${invitation.data.role}` as never) })}</p>
          <FormError error={error} labels={{ name: t('invite.name'), password: t('invite.password') }} />
          <Field label={t('invite.name')} error={error?.field('name')} required>
            {(p) => <input {...p} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={t('invite.password')} error={error?.field('password')} required>
            {(p) => <input {...p} type="password" autoComplete="new-password" minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <button type="submit" className="primary">{t('invite.submit')}</button>
        </form>
      )}
    </main>
    </>
  );
}
