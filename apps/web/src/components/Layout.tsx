import type { ReactNode } from 'react';
import { api } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import { allowed, useSession } from '../session.ts';

export function Layout({ orgId, path, children }: { orgId: string; path: string; children: ReactNode }) {
  const { session, refresh, membership } = useSession();
  const current = membership(orgId)!;
  const nav: [string, string, boolean][] = [
    ['', t('nav.home'), true],
    ['/incidents', t('nav.incidents'), true],
    ['/registre', t('nav.register'), allowed(current, 'registerRead')],
    ['/contacts', t('nav.contacts'), true],
    ['/utilisateurs', t('nav.users'), allowed(current, 'usersRead')],
    ['/audit', t('nav.audit'), allowed(current, 'audit')],
  ];
  const switchTo = async (id: string) => {
    await api('POST', '/api/v1/session/organisation', { organisationId: id });
    await refresh();
    navigate(`/o/${id}`);
  };
  const logout = async () => {
    await api('POST', '/api/v1/auth/logout');
    await refresh();
    navigate('/', { replace: true });
  };
  return (
    <>
      <a className="skip-link" href="#contenu">{t('app.skip')}</a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">▲</span> {t('app.name')}
        </div>
        <div className="org">
          <span className="org-label">{t('nav.organisation')} :</span>{' '}
          <strong data-testid="current-organisation">{current.organisationName}</strong>
          {current.readOnly && <span className="tag"> ({t('nav.readOnly')})</span>}
          {session.memberships.length > 1 && (
            <label className="org-switch">
              <span className="visually-hidden">{t('nav.switch')}</span>
              <select value={orgId} onChange={(e) => void switchTo(e.target.value)} aria-label={t('nav.switch')}>
                {session.memberships.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>{m.organisationName}</option>
                ))}
              </select>
            </label>
          )}
        </div>
        <div className="user">
          <span>{session.user.name} — {t(`role.${current.role}` as never)}</span>
          <button type="button" className="link-button" onClick={() => void logout()}>{t('nav.logout')}</button>
        </div>
      </header>
      <nav className="mainnav" aria-label={t('nav.main')}>
        <ul>
          {nav.filter(([, , show]) => show).map(([href, label]) => {
            const active = href === '' ? path === '/' : path.startsWith(href);
            return (
              <li key={href}>
                <Link href={`/o/${orgId}${href}`} aria-current={active ? 'page' : undefined}>{label}</Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="contenu" tabIndex={-1}>{children}</main>
    </>
  );
}
