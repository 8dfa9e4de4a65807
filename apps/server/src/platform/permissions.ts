// The permission matrix: one table, enforced by the route guard and the services.
// docs/permissions.md is generated from it (npm run docs:permissions) and a test keeps them equal.
export const ROLES = ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire', 'lecteur'] as const;
export type Role = (typeof ROLES)[number];

export const PRIVILEGED_ROLES: readonly Role[] = ['admin', 'rssi', 'dpo'];

export const PERMISSIONS = {
  'organisation.read': { fr: "Voir l'organisation et son tableau de bord", roles: ROLES },
  'organisation.manage': { fr: "Modifier la fiche de l'organisation", roles: ['admin'] },
  'users.read': { fr: 'Voir les utilisateurs', roles: ['admin', 'rssi', 'dpo', 'dgs'] },
  'users.manage': { fr: 'Inviter, changer un rôle, désactiver', roles: ['admin'] },
  'incident.read': { fr: 'Voir les incidents, le journal et les tâches', roles: ROLES },
  'incident.write': { fr: 'Déclarer et modifier un incident', roles: ['admin', 'rssi', 'dpo', 'dgs'] },
  'journal.write': { fr: 'Écrire dans le journal de bord', roles: ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire'] },
  'task.write': { fr: 'Ajouter, attribuer et cocher des tâches', roles: ['admin', 'rssi', 'dpo', 'dgs', 'agent', 'prestataire'] },
  'cnil.read': { fr: 'Voir le dossier de notification CNIL', roles: ['admin', 'rssi', 'dpo', 'dgs', 'elu'] },
  'cnil.write': { fr: 'Remplir le dossier CNIL et enregistrer une notification', roles: ['admin', 'rssi', 'dpo'] },
  'register.read': { fr: 'Voir le registre des violations', roles: ['admin', 'rssi', 'dpo', 'dgs', 'elu'] },
  'register.write': { fr: 'Tenir le registre des violations', roles: ['admin', 'dpo'] },
  'notice.write': { fr: "Rédiger la note d'information", roles: ['admin', 'rssi', 'dpo', 'dgs'] },
  'evidence.read': { fr: 'Voir et télécharger les pièces (preuves) d’un incident', roles: ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'prestataire'] },
  'evidence.write': { fr: 'Verser une pièce (preuve) au dossier', roles: ['admin', 'rssi', 'dpo', 'dgs', 'prestataire'] },
  'dataset.read': { fr: 'Voir les extraits de données volées importés (lecture tracée)', roles: ['admin', 'rssi', 'dpo'] },
  'dataset.write': { fr: 'Importer et purger un extrait de données volées', roles: ['admin', 'rssi', 'dpo'] },
  'forensics.read': { fr: 'Voir les analyses de journaux et les comptes signalés (lecture tracée)', roles: ['admin', 'rssi', 'dpo', 'prestataire'] },
  'forensics.write': { fr: 'Importer des journaux, lancer une analyse, en tirer tâches et journal', roles: ['admin', 'rssi', 'prestataire'] },
  'notification.send': { fr: 'Envoyer la campagne de notification aux personnes concernées', roles: ['admin', 'dpo'] },
  'contacts.read': { fr: 'Voir les contacts', roles: ROLES },
  'contacts.write': { fr: 'Gérer les contacts locaux', roles: ['admin', 'rssi', 'dpo', 'dgs'] },
  'audit.read': { fr: "Consulter la piste d'audit", roles: ['admin', 'rssi'] },
} as const satisfies Record<string, { fr: string; roles: readonly Role[] }>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission, options: { readOnly?: boolean } = {}): boolean {
  if (options.readOnly && !permission.endsWith('.read')) return false;
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

export function permissionsMarkdown(): string {
  const header = `| permission | ${ROLES.join(' | ')} |\n|---|${ROLES.map(() => ':-:').join('|')}|\n`;
  const rows = (Object.keys(PERMISSIONS) as Permission[])
    .map((p) => `| ${PERMISSIONS[p].fr} (\`${p}\`) | ${ROLES.map((r) => (can(r, p) ? 'oui' : '—')).join(' | ')} |`)
    .join('\n');
  return `# Matrice des permissions\n\nGénérée depuis \`apps/server/src/platform/permissions.ts\` (ne pas modifier à la main).\nUn membre d'un groupement avec le rôle rssi voit les organisations membres en lecture seule, sauf droit d'écriture accordé.\n\n${header}${rows}\n`;
}
