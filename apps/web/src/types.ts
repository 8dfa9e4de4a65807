import type { Clock } from './format.ts';

export interface Incident {
  id: string;
  reference: string;
  type: string;
  title: string;
  status: 'open' | 'contained' | 'closed';
  startedAt: string | null;
  awareAt: string;
  detectedHow: string;
  endedAt: string | null;
  affectedSystems: string[];
  affectedServices: string[];
  personalData: { involved: boolean; categories: string[]; approxPersons?: number | null; approxRecords?: number | null; sensitive: boolean; minors: boolean };
  provider: string | null;
  clock: Clock;
}

export interface Task {
  id: string;
  key: string | null;
  title: string;
  description: string;
  phase: 'first_hour' | 'first_day' | 'first_week';
  ownerRole: string;
  assigneeUserId: string | null;
  dueAt: string;
  status: 'todo' | 'in_progress' | 'done' | 'not_applicable';
  notApplicableReason: string | null;
  doneAt: string | null;
  doneByName: string | null;
  incidentTitle?: string;
  incidentReference?: string;
  incidentId: string;
}

export interface JournalEntry {
  id: string;
  kind: 'fact' | 'decision' | 'communication' | 'correction';
  text: string;
  occurredAt: string;
  authorName: string;
  createdAt: string;
  correctsId: string | null;
}

export const INCIDENT_TYPES = ['rancongiciel', 'exfiltration', 'compromission_compte', 'prestataire', 'hameconnage', 'deni_de_service', 'perte_vol_materiel', 'autre'] as const;
export const ROLES = ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire', 'lecteur'] as const;
