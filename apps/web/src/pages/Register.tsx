// The breach register (art. 33(5)): every incident is listed, notified or not, with where its CNIL
// notification stands; the register itself is kept on each incident and exported here.
import { api, orgUrl } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { notificationStatus } from '../incident-logic.ts';
import { Link } from '../router.tsx';
import { Loading, useLoad } from '../components/ui.tsx';
import type { Incident } from '../types.ts';

export function RegisterPage({ orgId }: { orgId: string }) {
  const incidents = useLoad(() => api<Incident[]>('GET', orgUrl(orgId, '/incidents')), [orgId]);
  return (
    <>
      <h1>{t('register.title')}</h1>
      <p>{t('register.intro')}</p>
      <ul className="downloads">
        <li><a href={orgUrl(orgId, '/register.csv')} download>{t('register.csv')}</a></li>
        <li><a href={orgUrl(orgId, '/register.pdf')} download>{t('register.pdf')}</a></li>
      </ul>
      <h2>{t('register.entries')}</h2>
      {!incidents.data ? <Loading error={incidents.error} onRetry={incidents.reload} /> : incidents.data.length === 0 ? <p>{t('incidents.none')}</p> : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('register.entries')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('incidents.reference')}</th>
                <th scope="col">{t('declare.titleField')}</th>
                <th scope="col">{t('incidents.awareAt')}</th>
                <th scope="col">{t('incident.personalData')}</th>
                <th scope="col">{t('register.cnil')}</th>
              </tr>
            </thead>
            <tbody>
              {incidents.data.map((i) => (
                <tr key={i.id}>
                  <td><Link href={`/o/${orgId}/incidents/${i.id}#registre`}>{i.reference}</Link></td>
                  <td>{i.title}</td>
                  <td>{formatDateTime(i.awareAt)}</td>
                  <td>
                    {i.personalData.involved
                      ? i.personalData.approxPersons != null ? t('incident.persons', { n: i.personalData.approxPersons.toLocaleString('fr-FR') }) : t('common.yes')
                      : t('incident.noPersonalData')}
                  </td>
                  <td>{notificationStatus(i)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
