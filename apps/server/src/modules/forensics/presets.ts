// Ready-made mappings offered in the incident: the canonical event (no mapping needed) and the French
// vendor export of issue 3 (the mapping file shipped with the engine).
import { readFileSync } from 'node:fs';
import { VENDOR_MAPPING_FILE } from '@rempart/forensics';
export const MAPPING_PRESETS = {
  ecs: {
    label: 'Format canonique Rempart (NDJSON, noms Elastic Common Schema)',
    labelEn: 'Rempart canonical format (NDJSON, Elastic Common Schema names)',
    text: null as string | null,
  },
  editeur_fr: {
    label: 'Export d’éditeur français (CSV « ; », Windows-1252, date et heure séparées)',
    labelEn: 'French vendor export (CSV “;”, Windows-1252, split date and time)',
    text: readFileSync(VENDOR_MAPPING_FILE, 'utf8') as string | null,
  },
} as const satisfies Record<string, { label: string; labelEn: string; text: string | null }>;

export type PresetId = keyof typeof MAPPING_PRESETS;
export const PRESET_IDS = Object.keys(MAPPING_PRESETS) as [PresetId, ...PresetId[]];
