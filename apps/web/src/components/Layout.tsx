import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { FormError } from './ui.tsx';
import { t, type Locale } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import { allowed, useSession } from '../session.ts';

/** A button to read Rempart in the other language, labelled in that language. */
export function LanguageSwitch({ locale, onLocale, className }: { locale: Locale; onLocale: (l: Locale) => void; className?: string }) {
  const other = t('app.otherLanguageCode') as Locale;
  return (
    <button type="button" className={className ?? 'link-button'} lang={other} onClick={() => onLocale(other)} aria-label={t('app.otherLanguageHelp')} data-locale={locale}>
      {t('app.otherLanguage')}
    </button>
  );
}

interface LayoutProps {
  orgId: string;
  path: string;
  title: string;
  locale: Locale;
  onLocale: (l: Locale) => void;
  children: ReactNode;
}

export function Layout({ orgId, path, title, locale, onLocale, children }: LayoutProps) {
  const { session, refresh, membership } = useSession();
  const current = membership(orgId)!;
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  // Each page has its own title (RGAA 8.6) naming the organisation, so tabs and history are told apart.
  useEffect(() => {
    document.title = `${title} — ${current.organisationName} — ${t('app.name')}`;
  }, [title, current.organisationName, locale]);
  // After a client-side navigation, screen readers and keyboards start again from the content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [path, orgId]);
  const nav: [string, string, boolean][] = [
    ['', t('nav.home'), true],
    ['/incidents', t('nav.incidents'), true],
    ['/registre', t('nav.register'), allowed(current, 'registerRead')],
    ['/contacts', t('nav.contacts'), true],
    ['/utilisateurs', t('nav.users'), allowed(current, 'usersRead')],
    ['/audit', t('nav.audit'), allowed(current, 'audit')],
  ];
  const [error, setError] = useState<ApiError | null>(null);
  const attempt = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const switchTo = (id: string) =>
    attempt(async () => {
      await api('POST', '/api/v1/session/organisation', { organisationId: id });
      await refresh();
      navigate(`/o/${id}`);
    });
  const logout = () =>
    attempt(async () => {
      await api('POST', '/api/v1/auth/logout');
      await refresh();
      navigate('/', { replace: true });
    });
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
          <LanguageSwitch locale={locale} onLocale={onLocale} />
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
      <main id="contenu" tabIndex={-1} ref={main}>
        <FormError error={error} />
        {children}
      </main>
    </>
  );
}
