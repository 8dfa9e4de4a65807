// Writes docs/permissions.md from the permission matrix in code.
import { writeFileSync } from 'node:fs';
import { permissionsMarkdown } from '../apps/server/src/platform/permissions.ts';

writeFileSync('docs/permissions.md', permissionsMarkdown());
