// What the documents need to know, independent of how the server stores it.
export interface OrganisationInfo {
  name: string;
  kind?: string;
  siren?: string | null;
  address?: string | null;
  dpo: { name?: string | null; email?: string | null; phone?: string | null };
}

export interface IncidentInfo {
  reference: string;
  title: string;
  type: string;
  awareAt: string | Date;
  startedAt?: string | Date | null;
  endedAt?: string | Date | null;
  detectedHow?: string;
  affectedSystems?: string[];
  affectedServices?: string[];
  personalData: { involved: boolean; categories: string[]; approxPersons?: number | null; approxRecords?: number | null; sensitive?: boolean; minors?: boolean };
  provider?: string | null;
}

export interface RegisterEntry {
  reference: string;
  title: string;
  type: string;
  awareAt: Date | string;
  startedAt?: Date | string | null;
  endedAt?: Date | string | null;
  personalData: IncidentInfo['personalData'];
  facts: string;
  effects: string;
  remedialActions: string;
  notified: boolean;
  notifiedAt?: Date | string | null;
  reasonNotNotified?: string | null;
}

export const INCIDENT_TYPE_LABELS: Record<string, string> = {
  rancongiciel: 'Rançongiciel',
  exfiltration: 'Exfiltration de données',
  compromission_compte: 'Compromission de compte',
  prestataire: 'Incident chez un prestataire',
  hameconnage: 'Hameçonnage',
  deni_de_service: 'Déni de service',
  perte_vol_materiel: 'Perte ou vol de matériel',
  autre: 'Autre',
};
