import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { api, ApiError, onSessionLost } from './api.ts';
import { getLocale, preferredLocale, setLocale, t, type Locale } from './i18n/index.ts';
import { match, navigate, usePath } from './router.tsx';
import { SessionContext, type Session } from './session.ts';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/ui.tsx';
import { LoginPage } from './pages/Login.tsx';
import { InvitationPage } from './pages/Invitation.tsx';
import { HomePage } from './pages/Home.tsx';
import { IncidentsPage, DeclarePage } from './pages/Incidents.tsx';
import { IncidentPage } from './pages/Incident.tsx';
import { RegisterPage } from './pages/Register.tsx';
import { ContactsPage } from './pages/Contacts.tsx';
import { UsersPage } from './pages/Users.tsx';
import { AuditPage } from './pages/Audit.tsx';

function App() {
  const path = usePath();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);
  const [locale, setLocaleState] = useState<Locale>(() => {
    setLocale(preferredLocale());
    return getLocale();
  });
  const changeLocale = useCallback((next: Locale) => {
    setLocale(next, { remember: true });
    setLocaleState(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const s = await api<Session>('GET', '/api/v1/session');
      const next = preferredLocale(s.user.locale);
      setLocale(next);
      setLocaleState(next);
      setSession(s);
      setExpired(false);
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else setError(e as ApiError);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // A call refused because the session ended sends the person back to sign-in, saying why.
  useEffect(
    () =>
      onSessionLost((code) => {
        if (code === 'unauthenticated') setExpired(true);
        void refresh();
      }),
    [refresh],
  );

  const invitation = match('/invitation/:token', path);
  if (invitation) return <InvitationPage token={invitation.token!} />;
  if (error) return <main id="contenu" className="narrow"><Loading error={error} onRetry={() => void refresh()} /></main>;
  if (session === undefined) return <main id="contenu" className="narrow"><Loading /></main>;
  if (session === null || !session.mfa.verified) {
    return <LoginPage session={session} expired={expired} onSignedIn={refresh} locale={locale} onLocale={changeLocale} />;
  }

  const orgId = match('/o/:orgId', path.split('/').slice(0, 3).join('/'))?.orgId;
  if (!orgId || !session.memberships.some((m) => m.organisationId === orgId)) {
    const target = session.currentOrganisationId ?? session.memberships[0]?.organisationId;
    if (target) {
      queueMicrotask(() => navigate(`/o/${target}`, { replace: true }));
      return <main id="contenu" className="narrow"><Loading /></main>;
    }
    return <main id="contenu" className="narrow"><p>{t('notFound.title')}</p></main>;
  }

  const rest = `/${path.split('/').slice(3).join('/')}`;
  let page;
  let title: string;
  let params: Record<string, string> | null;
  if (rest === '/' || rest === '') [page, title] = [<HomePage orgId={orgId} />, t('home.title')];
  else if (rest === '/incidents') [page, title] = [<IncidentsPage orgId={orgId} />, t('incidents.title')];
  else if (rest === '/incidents/nouveau') [page, title] = [<DeclarePage orgId={orgId} />, t('declare.title')];
  else if ((params = match('/incidents/:id', rest))) [page, title] = [<IncidentPage orgId={orgId} incidentId={params.id!} />, t('incident.page')];
  else if (rest === '/registre') [page, title] = [<RegisterPage orgId={orgId} />, t('register.title')];
  else if (rest === '/contacts') [page, title] = [<ContactsPage orgId={orgId} />, t('contacts.title')];
  else if (rest === '/utilisateurs') [page, title] = [<UsersPage orgId={orgId} />, t('users.title')];
  else if (rest === '/audit') [page, title] = [<AuditPage orgId={orgId} />, t('audit.title')];
  else [page, title] = [<h1>{t('notFound.title')}</h1>, t('notFound.title')];

  return (
    <SessionContext.Provider value={{ session, refresh, membership: (id) => session.memberships.find((m) => m.organisationId === id) }}>
      <Layout orgId={orgId} path={rest} title={title} locale={locale} onLocale={changeLocale}>{page}</Layout>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
