import { useState, type FormEvent } from 'react';
import { api, ApiError, orgUrl } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { allowed, useSession } from '../session.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';
import { ROLES } from '../types.ts';

interface User { userId: string; email: string; name: string; role: string; mfaEnrolled: boolean; lastLoginAt: string | null; disabled: boolean; activated: boolean }

export function UsersPage({ orgId }: { orgId: string }) {
  const { membership, session } = useSession();
  const canManage = allowed(membership(orgId), 'users');
  const users = useLoad(() => api<User[]>('GET', orgUrl(orgId, '/users')), [orgId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('agent');
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<{ email: string; inviteUrl?: string } | null>(null);

  const invite = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await api('POST', orgUrl(orgId, '/invitations'), { email, role }));
      setEmail('');
      users.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const update = async (user: User, body: Record<string, unknown>) => {
    setError(null);
    try {
      await api('PATCH', orgUrl(orgId, `/users/${user.userId}`), body);
      users.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <>
      <h1>{t('users.title')}</h1>
      <FormError error={error} labels={{ email: t('users.email'), role: t('users.role') }} />
      {!users.data ? <Loading error={users.error} /> : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.email')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.mfa')}</th>
                <th scope="col">{t('users.lastLogin')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.userId}>
                  <td>{u.name}{u.disabled && <span className="tag"> ({t('users.disabled')})</span>}{!u.activated && <span className="tag"> ({t('users.pending')})</span>}</td>
                  <td>{u.email}</td>
                  <td>
                    {canManage && u.userId !== session.user.id ? (
                      <select aria-label={`${t('users.role')} : ${u.name}`} value={u.role} onChange={(e) => void update(u, { role: e.target.value })}>
                        {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                      </select>
                    ) : t(`role.${u.role}` as never)}
                  </td>
                  <td>{u.mfaEnrolled ? t('common.yes') : t('common.no')}</td>
                  <td>
                    {u.lastLoginAt ? formatDateTime(u.lastLoginAt) : t('users.never')}
                    {canManage && u.userId !== session.user.id && (
                      <button type="button" className="link-button" onClick={() => void update(u, { disabled: !u.disabled })}>
                        {u.disabled ? t('users.enable') : t('users.disable')}<span className="visually-hidden"> : {u.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canManage && (
        <form onSubmit={invite} noValidate className="form compact">
          <h2>{t('users.invite')}</h2>
          {result && (
            <Notice>
              {result.inviteUrl ? (<>{t('users.inviteLink')} <code data-testid="invite-url">{result.inviteUrl}</code></>) : t('users.inviteSent')}
            </Notice>
          )}
          <Field label={t('users.email')} error={error?.field('email')} required>{(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
          <Field label={t('users.role')} error={error?.field('role')}>
            {(p) => <select {...p} value={role} onChange={(e) => setRole(e.target.value)}>{ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}</select>}
          </Field>
          <button type="submit" className="primary">{t('users.inviteSubmit')}</button>
        </form>
      )}
    </>
  );
}
