import { orgUrl } from '../api.ts';
import { t } from '../i18n/index.ts';

export function RegisterPage({ orgId }: { orgId: string }) {
  return (
    <>
      <h1>{t('register.title')}</h1>
      <p>{t('register.intro')}</p>
      <ul className="downloads">
        <li><a href={orgUrl(orgId, '/register.csv')} download>{t('register.csv')}</a></li>
        <li><a href={orgUrl(orgId, '/register.pdf')} download>{t('register.pdf')}</a></li>
      </ul>
    </>
  );
}
