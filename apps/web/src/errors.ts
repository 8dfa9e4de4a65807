// Turns what the server (or the network) said into a sentence a person can act on, in the
// interface's language, and ties each detail to the label of the field it concerns.
import type { ApiError, FieldError } from './api.ts';
import { getLocale, t, type MessageKey } from './i18n/index.ts';

const BY_CODE: Record<string, MessageKey> = {
  network: 'error.network',
  unauthenticated: 'error.unauthenticated',
  mfa_required: 'error.mfaRequired',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  validation_failed: 'error.validation',
  rate_limited: 'error.rateLimited',
  account_locked: 'error.rateLimited',
  invalid_code: 'error.invalidCode',
  conflict: 'error.conflict',
  internal_error: 'error.server',
};

/** The sentence shown at the top of a form or page for this error. */
export function errorMessage(error: Pick<ApiError, 'status' | 'code' | 'message'>): string {
  if (error.code === 'network') return t('error.network');
  if (error.status >= 500) return t('error.server', { status: error.status });
  // The server's own French sentence is the most precise ("Code incorrect", "compte verrouillé
  // encore 4 minute(s)"); in English, or when it sent none, the catalogue speaks instead.
  if (getLocale() === 'fr' && error.message) return error.message;
  const key = BY_CODE[error.code];
  if (key) return t(key);
  if (error.message) return error.message;
  return t('error.status', { status: error.status });
}

export interface LabelledDetail {
  label: string | null;
  message: string;
}

/**
 * Details with the label of their field rather than the server's path: "personalData.approxPersons"
 * becomes "Nombre approximatif de personnes". A path with no known label is matched against its
 * nearest known parent ("persons.categories.2" → "persons.categories"), then shown without label.
 */
export function labelDetails(details: FieldError[], labels: Record<string, string> = {}): LabelledDetail[] {
  return details.map((d) => {
    const parts = d.path ? d.path.split('.') : [];
    for (let n = parts.length; n > 0; n -= 1) {
      const label = labels[parts.slice(0, n).join('.')];
      if (label) return { label, message: d.message };
    }
    return { label: null, message: d.message };
  });
}
