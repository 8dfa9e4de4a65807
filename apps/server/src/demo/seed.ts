// The demo organisation: a fictional commune whose police records application was emptied through
// one compromised account (modelled on the Joinville-le-Pont case), discovered yesterday evening,
// half-way through its runbook. Users get no password: the quick start prints a one-time link.
import { DateTime } from 'luxon';
import { json } from '@rempart/db';
import { appendAudit } from '../platform/audit.ts';
import type { Services } from '../platform/services.ts';
import { createOrganisation } from '../modules/organisations/service.ts';
import { createIncident } from '../modules/incidents/service.ts';
import { createInvitation } from '../modules/auth/service.ts';
import type { Role } from '../platform/permissions.ts';

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: 'admin@demo.rempart.invalid', name: 'Claire Dumas (service informatique)', role: 'admin' },
  { email: 'dpo@demo.rempart.invalid', name: 'Karim Benali (DPO)', role: 'dpo' },
  { email: 'rssi@demo.rempart.invalid', name: 'Sophie Lemaire (RSSI mutualisée)', role: 'rssi' },
  { email: 'maire@demo.rempart.invalid', name: 'Jean-Marc Roussel (maire)', role: 'elu' },
  { email: 'pm@demo.rempart.invalid', name: 'Nadia Ferreira (cheffe de la police municipale)', role: 'agent' },
];

export interface DemoResult {
  organisationId: string;
  incidentId: string;
  adminSetupUrl: string | null;
}

export async function seedDemo(services: Services): Promise<DemoResult> {
  const now = services.now();
  // Discovered yesterday at 18:40, Paris time.
  const awareAt = DateTime.fromJSDate(now).setZone('Europe/Paris').minus({ days: 1 }).set({ hour: 18, minute: 40, second: 0, millisecond: 0 }).toUTC().toJSDate();
  const startedAt = DateTime.fromJSDate(awareAt).minus({ days: 9 }).toJSDate();
  const system = { actorUserId: null, actorLabel: 'système (démonstration)', ip: null } as const;

  const { organisationId, incidentId } = await services.db.transaction().execute(async (trx) => {
    const organisationId = await createOrganisation(trx, {
      name: 'Commune de Val-de-Brême (démonstration)',
      kind: 'commune',
      siren: '219499902',
      inseeCode: '94999',
      population: 18_600,
      address: '1 place de la Mairie, 94999 Val-de-Brême',
      dpo: { name: 'Karim Benali', email: 'dpd@val-de-breme.invalid', phone: '01 45 00 00 00' },
      isDemo: true,
    });
    const userIds: Record<string, string> = {};
    for (const u of DEMO_USERS) {
      const user = await trx.insertInto('users').values({ email: u.email, name: u.name }).returning('id').executeTakeFirstOrThrow();
      userIds[u.role] = user.id;
      await trx.insertInto('memberships').values({ user_id: user.id, organisation_id: organisationId, role: u.role }).execute();
    }
    await appendAudit(trx, services.keys, { ...system, organisationId, action: 'demo.seed', objectType: 'organisation', objectId: organisationId, outcome: 'success' });

    const incidentId = await createIncident(
      trx,
      organisationId,
      {
        type: 'exfiltration',
        title: 'Exfiltration des données du logiciel de la police municipale',
        startedAt: startedAt.toISOString(),
        awareAt: awareAt.toISOString(),
        detectedHow:
          "L'éditeur du logiciel métier a signalé des exports massifs depuis le compte d'un agent, la nuit, depuis une adresse IP étrangère. Des extraits ont été publiés sur un forum cybercriminel.",
        affectedSystems: ['Logiciel métier de la police municipale (hébergé par l’éditeur)', "Compte utilisateur d'un agent"],
        affectedServices: ['Police municipale : registres d’accueil et CSU, mains courantes, OTV, stationnement, fourrière, procès-verbaux'],
        personalData: {
          involved: true,
          categories: ['identité', 'coordonnées', 'adresse', "périodes d'absence (OTV)", 'véhicules', 'infractions', 'description des faits'],
          approxPersons: 10_000,
          approxRecords: 27_500,
          sensitive: true,
          minors: true,
        },
        provider: 'Éditeur du logiciel de police municipale',
      },
      userIds.dpo!,
    );
    await appendAudit(trx, services.keys, { ...system, organisationId, action: 'incident.create', objectType: 'incident', objectId: incidentId, outcome: 'success' });

    const journal: [number, string, string, Role][] = [
      [0, 'fact', "Appel de l'éditeur : exports massifs depuis le compte d'un agent de la police municipale, cette nuit, depuis une IP étrangère.", 'rssi'],
      [15, 'decision', "Compte de l'agent désactivé chez l'éditeur ; l'agent est joint par téléphone, il n'était pas connecté.", 'rssi'],
      [45, 'decision', 'Cellule de crise réunie : maire, DPO, RSSI mutualisée, cheffe de la police municipale.', 'elu'],
      [90, 'communication', "Assureur cyber prévenu (déclaration de sinistre n° en attente). L'éditeur conserve les journaux de connexion.", 'admin'],
      [14 * 60, 'fact', "Des extraits des fichiers OTV et mains courantes sont publiés sur un forum : l'exfiltration est confirmée à partir du 19 du mois dernier.", 'rssi'],
      [15 * 60, 'decision', "Plainte déposée au commissariat ; réinitialisation forcée des mots de passe de tous les agents habilités.", 'elu'],
    ];
    for (const [minutes, kind, text, role] of journal) {
      const user = DEMO_USERS.find((u) => u.role === role)!;
      await trx.insertInto('journal_entries').values({
        organisation_id: organisationId, incident_id: incidentId, kind, text, author_id: userIds[role]!, author_name: user.name,
        occurred_at: new Date(awareAt.getTime() + minutes * 60_000),
      }).execute();
    }

    const tasks = await trx.selectFrom('tasks').select(['id', 'due_at', 'owner_role']).where('incident_id', '=', incidentId).orderBy('due_at').execute();
    const doneIds = demoDoneTasks(tasks, now);
    for (const task of tasks.filter((t) => doneIds.has(t.id))) {
      const doer = DEMO_USERS.find((u) => u.role === task.owner_role) ?? DEMO_USERS[0]!;
      await trx.updateTable('tasks').set({ status: 'done', done_at: task.due_at, done_by: userIds[doer.role]!, done_by_name: doer.name }).where('id', '=', task.id).execute();
    }

    await trx.insertInto('cnil_dossiers').values({
      incident_id: incidentId,
      organisation_id: organisationId,
      dossier: json({
        notificationKind: 'initial',
        nature: { confidentiality: true, integrity: false, availability: false },
        howItHappened: "Connexion au logiciel de la police municipale avec les identifiants d'un agent, puis exports massifs des registres.",
        persons: { approxCount: 10_000, categories: ['requérants', 'mis en cause', 'témoins', 'victimes', 'propriétaires de véhicules'] },
        records: { approxCount: 27_500 },
      }),
    }).execute();

    const contacts: [string, string, string, string | null, string | null][] = [
      ['prestataire_it', 'Support éditeur du logiciel PM', 'Éditeur PM', '01 70 00 00 01', 'support@editeur-pm.invalid'],
      ['assureur', 'Assistance cyber', 'Assureur de la commune', '09 70 00 00 02', null],
      ['police', 'Commissariat de secteur', 'Police nationale', '01 45 00 00 17', null],
      ['prefecture', 'Cabinet du préfet', 'Préfecture', null, 'cabinet@prefecture.invalid'],
    ];
    for (const [category, name, organisationName, phone, email] of contacts) {
      const id = crypto.randomUUID();
      await trx.insertInto('contacts').values({
        id, organisation_id: organisationId, category, name, organisation_name: organisationName,
        phone_enc: phone ? services.keys.encrypt(phone, `contact:${organisationId}:${id}:phone`) : null,
        email_enc: email ? services.keys.encrypt(email, `contact:${organisationId}:${id}:email`) : null,
      }).execute();
    }
    return { organisationId, incidentId };
  });

  const invitation = await createInvitation(services, {
    organisationId, email: DEMO_USERS[0]!.email, role: 'admin', createdBy: null, ip: null, actorLabel: system.actorLabel,
  });
  return { organisationId, incidentId, adminSetupUrl: invitation.inviteUrl ?? null };
}

/**
 * Half-way through the runbook: everything due before the last six hours is done, by whoever owns
 * it, and what fell due since is late. At some times of day no task falls due in those six hours;
 * the latest task already due then stays open, so that the demo always shows a late task on the
 * dashboard, whatever the hour it is started.
 */
export function demoDoneTasks(tasks: readonly { id: string; due_at: Date }[], now: Date): Set<string> {
  const cutoff = now.getTime() - 6 * 3_600_000;
  const due = [...tasks].filter((t) => t.due_at.getTime() <= now.getTime()).sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
  const late = due.filter((t) => t.due_at.getTime() > cutoff);
  const open = new Set((late.length > 0 ? late : due.slice(-1)).map((t) => t.id));
  return new Set(due.filter((t) => !open.has(t.id)).map((t) => t.id));
}
