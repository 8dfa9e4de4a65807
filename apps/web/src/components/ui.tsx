// Shared form and display pieces: every field has a label, errors are tied to their field.
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { errorMessage, labelDetails } from '../errors.ts';
import { clockText, formatDateTime, liveClock, type Clock } from '../format.ts';
import { t } from '../i18n/index.ts';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: ApiError | null; reload: () => void; loadedAt: Date } {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loadedAt: Date }>({ data: null, error: null, loadedAt: new Date() });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data, error: null, loadedAt: new Date() }),
      (error: ApiError) => live && setState({ data: null, error, loadedAt: new Date() }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * While a form holds changes not yet saved, closing or reloading the tab asks first: a dossier
 * typed at 3 a.m. is not lost to a stray click. (Links inside the app keep the page mounted state
 * only until it unmounts; the browser prompt covers the costly case, leaving the tab.)
 */
export function useUnsavedWarning(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Some browsers still need returnValue set to show the prompt.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}

export function Loading({ error, onRetry }: { error?: ApiError | null; onRetry?: () => void }) {
  if (error) {
    return (
      <div className="alert alert-error" role="alert">
        <p>{errorMessage(error)}</p>
        {onRetry && <button type="button" onClick={onRetry}>{t('app.retry')}</button>}
      </div>
    );
  }
  return <p aria-live="polite">{t('app.loading')}</p>;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  /** A point to check that does not block (shown, and read with the field). */
  warning?: string;
  /** A stable id, so that a completeness list can link to the field. */
  id?: string;
  required?: boolean;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean; required?: boolean }) => ReactNode;
}

export function Field({ label, error, hint, warning, id: fixedId, required, children }: FieldProps) {
  const generated = useId();
  const id = fixedId ?? generated;
  const describedBy = [hint && `${id}-hint`, warning && `${id}-warning`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required"> ({t('common.required')})</span>}
      </label>
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, required })}
      {warning && <p className="warning-text" id={`${id}-warning`}><strong>{t('common.check')}</strong> {warning}</p>}
      {error && <p className="error-text" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

/**
 * The error at the top of a form: one sentence, then each detail with the label of its field
 * (never the server's internal path). Each field also shows its own message beside it.
 */
export function FormError({ error, labels }: { error: ApiError | null; labels?: Record<string, string> }) {
  if (!error) return null;
  const details = labelDetails(error.details, labels);
  return (
    <div className="alert alert-error" role="alert">
      <p>{errorMessage(error)}</p>
      {details.length > 0 && (
        <>
          <p className="visually-hidden">{t('error.summary')}</p>
          <ul>
            {details.map((d, i) => (
              <li key={i}>
                {d.label && <strong>{d.label} : </strong>}
                {d.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return <div className="alert alert-ok" role="status">{children}</div>;
}

/** The 72-hour clock, always in words; it ticks every 30 seconds. */
export function ClockBadge({ clock, fetchedAt }: { clock: Clock; fetchedAt: Date }) {
  const [now, setNow] = useState(new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const text = clockText(clock, now, fetchedAt);
  const { state } = liveClock(clock, now, fetchedAt);
  const live = state === 'running' || state === 'due_soon' || state === 'overdue';
  const tone = { running: 'info', due_soon: 'warn', overdue: 'danger', notified_on_time: 'ok', notified_late: 'warn', not_required: 'ok' }[state];
  return (
    <span className={`clock clock-${tone}`}>
      {text}
      {live && <span className="clock-deadline"> — {t('clock.deadline', { date: formatDateTime(clock.deadline) })}</span>}
    </span>
  );
}
