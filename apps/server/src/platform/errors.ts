// Domain errors carry a stable code and a French message; the HTTP layer maps them in one place.
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  unauthenticated: () => new AppError('unauthenticated', 401, 'Vous devez vous connecter.'),
  mfaRequired: () =>
    new AppError('mfa_required', 403, "La double authentification doit être validée avant d'accéder à cette page."),
  forbidden: (what = 'cette action') => new AppError('forbidden', 403, `Votre rôle ne permet pas ${what}.`),
  notFound: (what = 'Ressource') => new AppError('not_found', 404, `${what} introuvable.`),
  validation: (details: ErrorDetail[], message = 'Certaines données sont invalides.') =>
    new AppError('validation_failed', 400, message, details),
  conflict: (code: string, message: string, details: ErrorDetail[] = []) => new AppError(code, 409, message, details),
  badRequest: (code: string, message: string, details: ErrorDetail[] = []) => new AppError(code, 400, message, details),
};
