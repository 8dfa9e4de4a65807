import { createContext, useContext } from 'react';

export interface Membership {
  organisationId: string;
  organisationName: string;
  kind: string;
  role: string;
  readOnly: boolean;
}

export interface Session {
  user: { id: string; email: string; name: string; locale: string };
  memberships: Membership[];
  currentOrganisationId: string | null;
  csrfToken: string;
  mfa: { enrolled: boolean; required: boolean; verified: boolean };
}

export interface SessionContextValue {
  session: Session;
  refresh(): Promise<void>;
  membership(orgId: string): Membership | undefined;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

// Mirrors the server's permission matrix for what to show; the server enforces it regardless.
const WRITE: Record<string, string[]> = {
  incident: ['admin', 'rssi', 'dpo', 'dgs'],
  journal: ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire'],
  task: ['admin', 'rssi', 'dpo', 'dgs', 'agent', 'prestataire'],
  cnilRead: ['admin', 'rssi', 'dpo', 'dgs', 'elu'],
  cnil: ['admin', 'rssi', 'dpo'],
  register: ['admin', 'dpo'],
  registerRead: ['admin', 'rssi', 'dpo', 'dgs', 'elu'],
  notice: ['admin', 'rssi', 'dpo', 'dgs'],
  contacts: ['admin', 'rssi', 'dpo', 'dgs'],
  users: ['admin'],
  usersRead: ['admin', 'rssi', 'dgs'],
  audit: ['admin', 'rssi'],
  evidenceRead: ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'prestataire'],
  evidence: ['admin', 'rssi', 'dpo', 'dgs', 'prestataire'],
  datasets: ['admin', 'rssi', 'dpo'],
  forensicsRead: ['admin', 'rssi', 'dpo', 'prestataire'],
  forensics: ['admin', 'rssi', 'prestataire'],
  notificationSend: ['admin', 'dpo'],
};

export function allowed(membership: Membership | undefined, what: keyof typeof WRITE): boolean {
  if (!membership) return false;
  const readOnlyOk = what === 'cnilRead' || what === 'registerRead' || what === 'usersRead' || what === 'audit' || what === 'evidenceRead' || what === 'forensicsRead';
  if (membership.readOnly && !readOnlyOk) return false;
  return WRITE[what]!.includes(membership.role);
}
