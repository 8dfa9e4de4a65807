// Ready-made mappings offered in the incident: the canonical event (no mapping needed) and the French
// vendor export of issue 3 (same text as bench/forensics/vendor-mapping.yml).
export const MAPPING_PRESETS = {
  ecs: {
    label: 'Format canonique Rempart (NDJSON, noms Elastic Common Schema)',
    labelEn: 'Rempart canonical format (NDJSON, Elastic Common Schema names)',
    text: null as string | null,
  },
  editeur_fr: {
    label: 'Export d’éditeur français (CSV « ; », Windows-1252, date et heure séparées)',
    labelEn: 'French vendor export (CSV “;”, Windows-1252, split date and time)',
    text: `format: csv
delimiter: ";"
encoding: windows-1252
timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss", timezone: Europe/Paris }
fields:
  user.name: Utilisateur
  source.ip: Adresse IP
  source.geo.country_iso_code: Pays
  event.action: Action
  event.outcome: Résultat
  app.module: Module
  records: Nb enregistrements
  user_agent.original: Navigateur
values:
  event.action: { Connexion: login, "Echec connexion": login, Déconnexion: logout,
                  Consultation: view, Recherche: search, Création: create,
                  Modification: update, Export: export, Administration: admin, Impression: print }
  event.outcome: { OK: success, KO: failure }
`,
  },
} as const satisfies Record<string, { label: string; labelEn: string; text: string | null }>;

export type PresetId = keyof typeof MAPPING_PRESETS;
export const PRESET_IDS = Object.keys(MAPPING_PRESETS) as [PresetId, ...PresetId[]];
