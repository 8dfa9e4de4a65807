// The only way the app talks to the server: JSON in and out, the CSRF token on every change, and
// server errors turned into values the forms can show next to their fields.
import { getLocale } from './i18n/index.ts';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
  }

  /** The message for one field, matching the server's dotted path. */
  field(path: string): string | undefined {
    return this.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message;
  }
}

let csrfToken = '';
const sessionLost = new Set<(code: string) => void>();

/** Called when the server says the session is gone or needs MFA again, so the app can go back to sign-in. */
export function onSessionLost(listener: (code: string) => void): () => void {
  sessionLost.add(listener);
  return () => sessionLost.delete(listener);
}

export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        // The server words field-level validation details in the interface's language.
        'Accept-Language': getLocale(),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
        ...(method !== 'GET' && csrfToken && { 'X-CSRF-Token': csrfToken }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // The wording lives in the catalogue (errors.ts); the code is what matters here.
    throw new ApiError(0, 'network', '');
  }
  return answer<T>(url, response);
}

async function answer<T>(url: string, response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = toApiError(response.status, data);
    const lost = error.code === 'unauthenticated' || error.code === 'mfa_required';
    if (lost && url !== '/api/v1/session' && !url.startsWith('/api/v1/auth/')) sessionLost.forEach((l) => l(error.code));
    throw error;
  }
  if (data && typeof data === 'object' && 'csrfToken' in data && typeof data.csrfToken === 'string') setCsrfToken(data.csrfToken);
  return data as T;
}

export function toApiError(status: number, data: unknown): ApiError {
  if (data && typeof data === 'object' && 'code' in data && 'message' in data) {
    const d = data as { code: string; message: string; details?: FieldError[] };
    return new ApiError(status, d.code, d.message, Array.isArray(d.details) ? d.details : []);
  }
  return new ApiError(status, status >= 500 ? 'internal_error' : 'unknown', '');
}

/** Sends a file as multipart/form-data (the browser sets the boundary), with the CSRF token. */
export async function apiUpload<T>(url: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json', 'Accept-Language': getLocale(), 'X-CSRF-Token': csrfToken }, body: form });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  return answer<T>(url, response);
}

export const orgUrl = (orgId: string, path = '') => `/api/v1/organisations/${orgId}${path}`;
