import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type { MessageKey };
export type Locale = 'fr' | 'en';
export const catalogues: Record<Locale, Record<MessageKey, string>> = { fr, en };

const STORAGE_KEY = 'rempart.locale';
let current: Locale = 'fr';

export const getLocale = (): Locale => current;

export function setLocale(locale: Locale, options: { remember?: boolean } = {}): void {
  current = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  if (options.remember && typeof localStorage !== 'undefined') {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Private browsing may refuse storage: the choice then lasts for this page only.
    }
  }
}

/** The language chosen on this device, else the account's, else French. */
export function preferredLocale(accountLocale?: string): Locale {
  let stored: string | null = null;
  try {
    stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const choice = stored ?? accountLocale;
  return choice === 'en' ? 'en' : 'fr';
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = catalogues[current][key] ?? fr[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
