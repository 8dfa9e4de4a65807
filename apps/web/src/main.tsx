import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { api, ApiError } from './api.ts';
import { setLocale, t } from './i18n/index.ts';
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

  const refresh = useCallback(async () => {
    try {
      const s = await api<Session>('GET', '/api/v1/session');
      setLocale(s.user.locale === 'en' ? 'en' : 'fr');
      setSession(s);
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else setError(e as ApiError);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const invitation = match('/invitation/:token', path);
  if (invitation) return <InvitationPage token={invitation.token!} />;
  if (error) return <main id="contenu" className="narrow"><Loading error={error} onRetry={() => void refresh()} /></main>;
  if (session === undefined) return <main id="contenu" className="narrow"><Loading /></main>;
  if (session === null || !session.mfa.verified) return <LoginPage session={session} onSignedIn={refresh} />;

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
  let params: Record<string, string> | null;
  if (rest === '/' || rest === '') page = <HomePage orgId={orgId} />;
  else if (rest === '/incidents') page = <IncidentsPage orgId={orgId} />;
  else if (rest === '/incidents/nouveau') page = <DeclarePage orgId={orgId} />;
  else if ((params = match('/incidents/:id', rest))) page = <IncidentPage orgId={orgId} incidentId={params.id!} />;
  else if (rest === '/registre') page = <RegisterPage orgId={orgId} />;
  else if (rest === '/contacts') page = <ContactsPage orgId={orgId} />;
  else if (rest === '/utilisateurs') page = <UsersPage orgId={orgId} />;
  else if (rest === '/audit') page = <AuditPage orgId={orgId} />;
  else page = <h1>{t('notFound.title')}</h1>;

  return (
    <SessionContext.Provider value={{ session, refresh, membership: (id) => session.memberships.find((m) => m.organisationId === id) }}>
      <Layout orgId={orgId} path={rest}>{page}</Layout>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
