// What every browser test does: sign in with TOTP, check accessibility with axe-core, take the
// user guide's screenshots (only when asked: npm run docs:screenshots).
import { expect } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';

export const PASSWORD = 'une phrase de passe solide';
const shots = new URL('../docs/guide/img/', import.meta.url);

/** The code an authenticator app shows; `stepsAhead` gives the next ones (the server refuses a code used twice). */
export function totp(secret: string, stepsAhead = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

export async function axe(page: Page, label: string) {
  const results = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${label}: ${v.id} — ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export async function shot(page: Page, name: string, enabled: boolean) {
  if (enabled) await page.screenshot({ path: new URL(name, shots).pathname, fullPage: false });
}

/** Accepts an invitation, signs in and enrols TOTP; leaves the page on the dashboard. */
export async function join(page: Page, inviteUrl: string, name: string, email: string, screenshots: boolean): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.goto(inviteUrl);
  await page.getByLabel('Prénom et nom').fill(name);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await shot(page, '01-invitation.png', screenshots);
  await page.getByRole('button', { name: 'Créer mon accès' }).click();
  await page.getByRole('link', { name: 'Aller à la connexion' }).click();
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await shot(page, '02-connexion.png', screenshots);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect.poll(() => page.getByTestId('totp-secret').count()).toBe(1);
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await shot(page, '03-double-authentification.png', screenshots);
  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await expect.poll(() => page.getByRole('alert').textContent()).toContain('Code incorrect');
  await page.getByLabel('Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Codes de secours' }).count()).toBe(1);
  const recoveryCodes = (await page.locator('.recovery-codes li').allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  await page.getByRole('button', { name: /J'ai noté mes codes/ }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Tableau de bord' }).count()).toBe(1);
  return { secret, recoveryCodes };
}

/** Collects what the browser refused under the server's CSP (inline style or script, foreign origin). */
export function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}
