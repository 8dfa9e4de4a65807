// Shared test data: a fictional commune modelled on the Joinville-le-Pont case.
import { mergeDossier, prefillDossier, type CnilDossier } from './cnil.ts';
import type { IncidentInfo, OrganisationInfo } from './types.ts';

export const organisation: OrganisationInfo = {
  name: 'Commune de Val-de-Brême', kind: 'commune', siren: '219499902', address: '1 place de la Mairie, 94000 Val-de-Brême',
  dpo: { name: 'Karim Benali', email: 'dpd@val-de-breme.invalid', phone: '01 45 00 00 00' },
};

export const incident: IncidentInfo = {
  reference: 'INC-2026-001', title: 'Exfiltration du logiciel de police municipale', type: 'exfiltration',
  awareAt: '2026-03-28T17:40:00Z', startedAt: '2026-03-19T08:00:00Z',
  detectedHow: "Exports massifs depuis le compte d'un agent, signalés par l'éditeur.",
  affectedServices: ['Police municipale'],
  personalData: { involved: true, categories: ['identité', 'coordonnées', "périodes d'absence (OTV)", 'description des faits'], approxPersons: 10000, approxRecords: 27500, sensitive: true, minors: true },
};

export const aware = new Date(incident.awareAt);
export const HOUR = 3_600_000;

export const full: CnilDossier = mergeDossier(prefillDossier(incident, organisation), {
  nature: { confidentiality: true },
  howItHappened: "Connexion avec les identifiants d'un agent, puis exports massifs des registres.",
  persons: { categories: ['requérants', 'mis en cause', 'témoins', 'victimes'] },
  consequences: 'Escroqueries, usurpation d’identité, cambriolages, représailles.',
  measuresTaken: 'Compte désactivé ; mots de passe réinitialisés ; droits d’export retirés.',
  measuresPlanned: 'Audit des journaux de tous les agents.',
  personsInformed: { status: 'planned', how: 'Appel téléphonique et courrier individuel' },
  crossBorder: { involved: false },
  dates: { endedAt: '2026-03-28T18:10:00Z', ongoing: false },
});
