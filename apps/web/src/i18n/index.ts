import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type { MessageKey };
export type Locale = 'fr' | 'en';

let current: Locale = 'fr';
export const setLocale = (locale: Locale) => {
  current = locale;
  document.documentElement.lang = locale;
};

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = (current === 'en' ? en : fr)[key] ?? fr[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
