import { afterEach, describe, expect, it } from 'vitest';
import { toApiError } from './api.ts';
import { errorMessage, labelDetails } from './errors.ts';
import { setLocale } from './i18n/index.ts';

afterEach(() => setLocale('fr'));

describe('error messages', () => {
  it("keeps the server's precise French sentence in French", () => {
    const error = toApiError(429, { code: 'account_locked', message: "Trop d'échecs : compte verrouillé encore 4 minute(s).", details: [] });
    expect(errorMessage(error)).toBe("Trop d'échecs : compte verrouillé encore 4 minute(s).");
  });

  it('speaks English from the catalogue when the interface is in English', () => {
    setLocale('en');
    const error = toApiError(403, { code: 'mfa_required', message: 'La double authentification doit être validée…', details: [] });
    expect(errorMessage(error)).toBe('Complete two-factor authentication to continue.');
    // A code the catalogue does not know keeps the server's words rather than saying nothing.
    expect(errorMessage(toApiError(409, { code: 'self_lockout', message: 'Vous ne pouvez pas…' }))).toBe('Vous ne pouvez pas…');
  });

  it('never shows a proxy error page or an empty message', () => {
    expect(errorMessage(toApiError(502, '<html>Bad gateway</html>'))).toBe(
      'Le serveur a rencontré une erreur (502). Réessayez ; si cela persiste, prévenez votre administrateur.',
    );
    expect(errorMessage(toApiError(418, null))).toBe('Erreur 418.');
    expect(errorMessage({ status: 0, code: 'network', message: '' })).toBe('Le serveur ne répond pas. Vérifiez la connexion puis réessayez.');
    expect(errorMessage(toApiError(401, { code: 'unauthenticated', message: '' }))).toBe('Votre session a pris fin : reconnectez-vous.');
  });
});

describe('field errors', () => {
  const error = toApiError(400, {
    code: 'validation_failed',
    message: 'Certaines données sont invalides.',
    details: [
      { path: 'personalData.approxPersons', message: 'Nombre attendu' },
      { path: 'persons.categories.2', message: 'Texte trop long' },
      { path: 'internal.flag', message: 'Valeur inattendue' },
    ],
  });

  it('finds the message of a field, or of anything inside it', () => {
    expect(error.field('personalData.approxPersons')).toBe('Nombre attendu');
    expect(error.field('personalData')).toBe('Nombre attendu');
    expect(error.field('persons.categories')).toBe('Texte trop long');
    expect(error.field('title')).toBeUndefined();
    // "persons" must not match "personalData".
    expect(error.field('person')).toBeUndefined();
  });

  it('names fields by their label, falling back to the nearest labelled parent, never to a raw path', () => {
    expect(labelDetails(error.details, { 'personalData.approxPersons': 'Nombre approximatif de personnes', 'persons.categories': 'Catégories de personnes' })).toEqual([
      { label: 'Nombre approximatif de personnes', message: 'Nombre attendu' },
      { label: 'Catégories de personnes', message: 'Texte trop long' },
      { label: null, message: 'Valeur inattendue' },
    ]);
  });

  it('ignores details that are not a list', () => {
    expect(toApiError(400, { code: 'validation_failed', message: 'x', details: 'oops' }).details).toEqual([]);
  });
});
