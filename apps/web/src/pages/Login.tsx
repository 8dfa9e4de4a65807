import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { t, type Locale } from '../i18n/index.ts';
import type { Session } from '../session.ts';
import { Field, FormError } from '../components/ui.tsx';
import { LanguageSwitch } from '../components/Layout.tsx';

type Step = 'password' | 'mfa' | 'enrol' | 'recovery';

interface LoginProps {
  session: Session | null;
  expired: boolean;
  locale: Locale;
  onLocale: (l: Locale) => void;
  onSignedIn: () => Promise<void>;
}

export function LoginPage({ session, expired, locale, onLocale, onSignedIn }: LoginProps) {
  const initial: Step = session && !session.mfa.verified ? (session.mfa.enrolled ? 'mfa' : 'enrol') : 'password';
  const [step, setStep] = useState<Step>(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [enrolment, setEnrolment] = useState<{ secret: string; qrDataUrl: string } | null>(null);
  const [recovery, setRecovery] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const stepTitle = { password: t('login.title'), mfa: t('login.mfaTitle'), enrol: t('enrol.title'), recovery: t('enrol.recoveryTitle') }[step];
  useEffect(() => {
    document.title = `${stepTitle} — ${t('app.name')}`;
  }, [stepTitle]);
  // Each new step is announced by moving focus to its heading (not on first display: the page
  // starts at the top as any page does).
  const heading = useRef<HTMLHeadingElement>(null);
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);
  const labels = { email: t('login.email'), password: t('login.password'), code: t('login.code') };

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const startEnrolment = () =>
    run(async () => {
      setEnrolment(await api('POST', '/api/v1/auth/mfa/enrol/start'));
    });

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api<{ status: string }>('POST', '/api/v1/auth/login', { email, password });
      if (r.status === 'ok') await onSignedIn();
      else if (r.status === 'mfa_required') setStep('mfa');
      else {
        setStep('enrol');
        setEnrolment(await api('POST', '/api/v1/auth/mfa/enrol/start'));
      }
    });
  };

  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('POST', '/api/v1/auth/mfa/verify', { code });
      await onSignedIn();
    });
  };

  const confirmEnrolment = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api<{ recoveryCodes: string[] }>('POST', '/api/v1/auth/mfa/enrol/confirm', { code });
      setRecovery(r.recoveryCodes);
      setStep('recovery');
    });
  };

  return (
    <>
      <a className="skip-link" href="#contenu">{t('app.skip')}</a>
    <main id="contenu" className="narrow login">
      <div className="login-head">
        <p className="brand big"><span className="brand-mark" aria-hidden="true">▲</span> {t('app.name')}</p>
        <LanguageSwitch locale={locale} onLocale={onLocale} />
      </div>
      {expired && step === 'password' && <p className="alert alert-info" role="status">{t('login.expired')}</p>}
      {step === 'password' && (
        <form onSubmit={submitPassword} noValidate>
          <h1 ref={heading} tabIndex={-1}>{t('login.title')}</h1>
          <FormError error={error} labels={labels} />
          <Field label={t('login.email')} error={error?.field('email')} required>
            {(p) => <input {...p} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label={t('login.password')} error={error?.field('password')} required>
            {(p) => <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={busy}>{t('login.submit')}</button>
        </form>
      )}
      {step === 'mfa' && (
        <form onSubmit={submitCode} noValidate>
          <h1 ref={heading} tabIndex={-1}>{t('login.mfaTitle')}</h1>
          <p>{t('login.mfaHelp')}</p>
          <FormError error={error} labels={labels} />
          <Field label={t('login.code')} error={error?.field('code')} required>
            {(p) => <input {...p} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={busy}>{t('login.verify')}</button>
        </form>
      )}
      {step === 'enrol' && (
        <form onSubmit={confirmEnrolment} noValidate>
          <h1 ref={heading} tabIndex={-1}>{t('enrol.title')}</h1>
          <p>{t('enrol.intro')}</p>
          <FormError error={error} labels={labels} />
          {enrolment ? (
            <>
              <p>{t('enrol.scan')}</p>
              <img className="qr" src={enrolment.qrDataUrl} alt={t('enrol.qrAlt')} width={200} height={200} />
              <p>
                {t('enrol.secret')} : <code data-testid="totp-secret" className="secret">
                  {/* Groups of four are easier to type; the spacing is visual only, copying gives the key as is. */}
                  {enrolment.secret.match(/.{1,4}/g)?.map((group, i) => <span key={i}>{group}</span>)}
                </code>
              </p>
              <Field label={t('login.code')} error={error?.field('code')} required>
                {(p) => <input {...p} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />}
              </Field>
              <button type="submit" className="primary" disabled={busy}>{t('enrol.confirm')}</button>
            </>
          ) : (
            <button type="button" className="primary" onClick={() => void startEnrolment()} disabled={busy}>{t('enrol.title')}</button>
          )}
        </form>
      )}
      {step === 'recovery' && (
        <section>
          <h1 ref={heading} tabIndex={-1}>{t('enrol.recoveryTitle')}</h1>
          <p>{t('enrol.recoveryHelp')}</p>
          <ul className="recovery-codes">
            {recovery.map((c) => <li key={c}><code>{c}</code></li>)}
          </ul>
          <button type="button" className="primary" onClick={() => void onSignedIn()}>{t('enrol.continue')}</button>
        </section>
      )}
    </main>
    </>
  );
}
