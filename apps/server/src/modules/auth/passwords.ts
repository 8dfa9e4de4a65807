import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { say } from '../../platform/say.ts';

// argon2id with the OWASP-recommended floor (19 MiB, t=2), the library's defaults.
export const hashPassword = (password: string): Promise<string> => hash(password);

// A fixed hash to verify against when the account does not exist, so timing reveals nothing.
const DUMMY = '$argon2id$v=19$m=19456,t=2,p=1$TQhaPFwz5J2mFX/xcd8GUA$wvULDZHs64tNEo0uERKfCSHnl/jwuPeO4jt+gxJILhU';

export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  try {
    return await verify(stored ?? DUMMY, password).then((ok) => ok && stored !== null);
  } catch {
    return false;
  }
}

export const passwordSchema = z
  .string()
  .min(12, say('Le mot de passe doit contenir au moins 12 caractères.', 'The password must be at least 12 characters long.'))
  .max(256, say('Le mot de passe ne peut pas dépasser 256 caractères.', 'The password cannot be longer than 256 characters.'));
