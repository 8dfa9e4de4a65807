import { describe, expect, it } from 'vitest';
import { catalogues, setLocale, t } from './index.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('give every French message an English one with the same placeholders', () => {
    for (const [key, french] of Object.entries(catalogues.fr)) {
      const english = catalogues.en[key as keyof typeof catalogues.en];
      expect(english, key).toBeTruthy();
      expect(placeholders(english), key).toEqual(placeholders(french));
    }
    expect(Object.keys(catalogues.en).sort()).toEqual(Object.keys(catalogues.fr).sort());
  });

  it('fills placeholders and switches language', () => {
    setLocale('fr');
    expect(t('tasks.progress', { done: 3, total: 12 })).toBe('3 sur 12 tâches traitées');
    setLocale('en');
    expect(t('tasks.progress', { done: 3, total: 12 })).toBe('3 of 12 tasks handled');
    setLocale('fr');
  });
});
