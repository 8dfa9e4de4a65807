// Platform commands: quick start, init, serve, demo, users, audit, backup and restore.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { checkRunbooks, formatIssue, runbooksDir } from '@rempart/runbooks';
import { organisationInputSchema, roleSchema, ORGANISATION_KINDS } from '../../../server/src/modules/organisations/schema.ts';
import type { Config } from './platform-parts.ts';
import type { Services } from '../../../server/src/platform/services.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const server = () => import('./platform-parts.ts');

type Parts = Awaited<ReturnType<typeof server>>;

async function withServices<T>(fn: (services: Services, config: Config, parts: Parts) => Promise<T>, given?: Config): Promise<T> {
  const parts = await server();
  const config = given ?? parts.loadConfig();
  const services = await parts.createServices(config);
  try {
    return await fn(services, config, parts);
  } finally {
    await services.database.close();
  }
}

async function serveUntilSignal(services: Services): Promise<void> {
  const { startServer } = await server();
  const http = await startServer(services);
  out(`Rempart écoute sur ${services.config.publicUrl} (base : ${services.database.kind === 'pglite' ? `PGlite dans ${services.config.dataDir}` : 'PostgreSQL'})`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out('Arrêt en cours…');
  await http.close();
}

async function readPassphrase(option: string | undefined): Promise<string> {
  if (option) return (await readFile(option, 'utf8')).trim();
  const env = process.env.REMPART_BACKUP_PASSPHRASE;
  if (env) return env;
  throw new Error('Phrase de passe requise : --passphrase-file FICHIER ou variable REMPART_BACKUP_PASSPHRASE.');
}

export function registerPlatformCommands(program: Command): void {
  program
    .command('quickstart')
    .description('Démarrage rapide sur la base embarquée ; crée la démonstration si le dossier de données est vide')
    .action(async () => {
      const { loadConfig, ensureKeyFile, createServices, seedDemo } = await server();
      const config = loadConfig();
      const key = await ensureKeyFile(config.dataDir);
      if (key.created) out(`Clé maîtresse créée : ${key.file} (à sauvegarder hors ligne, elle chiffre les données).`);
      const services = await createServices(config);
      const count = await services.db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      if (Number(count.n) === 0) {
        const demo = await seedDemo(services);
        out('');
        out('Organisation de démonstration créée : Commune de Val-de-Brême.');
        out(`Pour choisir le mot de passe de l'administrateur (lien à usage unique, valable 7 jours) :`);
        out(`  ${demo.adminSetupUrl}`);
        out('');
      }
      await serveUntilSignal(services);
    });

  program
    .command('serve')
    .description('Démarre le serveur (PGlite dans REMPART_DATA_DIR, ou PostgreSQL si DATABASE_URL est défini)')
    .action(async () => {
      const { createServices, loadConfig } = await server();
      await serveUntilSignal(await createServices(loadConfig()));
    });

  program
    .command('init')
    .description('Installation réelle : crée la clé, la première organisation et son administrateur (sans démonstration)')
    .requiredOption('--org-name <nom>', "nom de l'organisation")
    .requiredOption('--admin-email <adresse>', "adresse de l'administrateur")
    .option('--kind <type>', `type d'organisation (${ORGANISATION_KINDS.join(', ')})`, 'commune')
    .option('--siren <siren>', 'SIREN (9 chiffres)')
    .option('--insee <code>', 'code INSEE')
    .action(async (options: { orgName: string; adminEmail: string; kind: string; siren?: string; insee?: string }) => {
      const { loadConfig, ensureKeyFile, createOrganisation, appendAudit, createInvitation } = await server();
      const config = loadConfig();
      if (!config.masterKey) {
        const key = await ensureKeyFile(config.dataDir);
        if (key.created) out(`Clé maîtresse créée : ${key.file} (à sauvegarder hors ligne).`);
      }
      const parsed = organisationInputSchema.safeParse({ name: options.orgName, kind: options.kind, siren: options.siren ?? null, inseeCode: options.insee ?? null });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join('\n'));
      await withServices(async (services) => {
        const existing = await services.db.selectFrom('organisations').select('id').where('is_demo', '=', false).executeTakeFirst();
        if (existing) throw new Error('Rempart est déjà initialisé : utilisez « rempart user add » pour ajouter des personnes.');
        const orgId = await services.db.transaction().execute(async (trx) => {
          const id = await createOrganisation(trx, parsed.data);
          await appendAudit(trx, services.keys, { actorUserId: null, actorLabel: 'cli (init)', organisationId: id, action: 'organisation.create', objectType: 'organisation', objectId: id, outcome: 'success' });
          return id;
        });
        const invitation = await createInvitation(services, { organisationId: orgId, email: options.adminEmail, role: 'admin', createdBy: null, ip: null, actorLabel: 'cli (init)' });
        out(`Organisation créée : ${parsed.data.name} (${orgId})`);
        out(invitation.inviteUrl ? `Lien à usage unique pour l'administrateur : ${invitation.inviteUrl}` : `Invitation envoyée à ${invitation.email}.`);
        out('Démarrez ensuite le serveur : npx rempart serve');
      }, config);
    });

  program
    .command('demo')
    .description("Ajoute l'organisation de démonstration à une base existante")
    .action(async () =>
      withServices(async (services, _config, { seedDemo }) => {
        const demo = await seedDemo(services);
        out(`Démonstration créée (${demo.organisationId}). Lien administrateur : ${demo.adminSetupUrl ?? 'envoyé par courriel'}`);
      }),
    );

  const user = program.command('user').description('Gestion des personnes');
  user
    .command('add')
    .description('Invite une personne dans une organisation (lien imprimé, ou courriel si SMTP est configuré)')
    .requiredOption('--email <adresse>', 'adresse électronique')
    .requiredOption('--role <rôle>', 'admin, rssi, dpo, dgs, elu, agent, prestataire, lecteur')
    .option('--org <id|siren>', "organisation (obligatoire s'il y en a plusieurs)")
    .action(async (options: { email: string; role: string; org?: string }) =>
      withServices(async (services, _config, { createInvitation }) => {
        const role = roleSchema.safeParse(options.role);
        if (!role.success) throw new Error(`Rôle inconnu : ${options.role}`);
        const orgs = await services.db.selectFrom('organisations').select(['id', 'name', 'siren']).execute();
        const matches = options.org ? orgs.filter((o) => o.id === options.org || o.siren === options.org) : orgs;
        if (matches.length !== 1) {
          throw new Error(`Précisez --org parmi : ${orgs.map((o) => `${o.name} (${o.siren ?? o.id})`).join(', ') || 'aucune organisation (lancez rempart init)'}`);
        }
        const invitation = await createInvitation(services, { organisationId: matches[0]!.id, email: options.email, role: role.data, createdBy: null, ip: null, actorLabel: 'cli (user add)' });
        out(invitation.inviteUrl ? `Lien à usage unique : ${invitation.inviteUrl}` : `Invitation envoyée à ${invitation.email}.`);
      }),
    );

  const group = program.command('group').description('Groupements (mutualisation) : organisations membres et équipe partagée');
  group
    .command('create')
    .description('Crée un groupement et y rattache des organisations (par SIREN ou identifiant)')
    .requiredOption('--name <nom>', 'nom du groupement')
    .requiredOption('--members <liste>', 'SIREN ou identifiants séparés par des virgules')
    .action(async (options: { name: string; members: string }) =>
      withServices(async (services, _config, { appendAudit }) => {
        const wanted = options.members.split(',').map((m) => m.trim()).filter(Boolean);
        const orgs = await services.db.selectFrom('organisations').select(['id', 'siren', 'name']).execute();
        const members = wanted.map((w) => {
          const found = orgs.find((o) => o.id === w || o.siren === w);
          if (!found) throw new Error(`Organisation inconnue : ${w}`);
          return found;
        });
        const id = await services.db.transaction().execute(async (trx) => {
          const created = await trx.insertInto('groups').values({ name: options.name }).returning('id').executeTakeFirstOrThrow();
          for (const m of members) await trx.insertInto('group_members').values({ group_id: created.id, organisation_id: m.id }).execute();
          await appendAudit(trx, services.keys, { actorUserId: null, actorLabel: 'cli (group create)', organisationId: null, action: 'group.create', objectType: 'group', objectId: created.id, outcome: 'success', details: { members: members.map((m) => m.id) } });
          return created.id;
        });
        out(`Groupement « ${options.name} » créé (${id}) : ${members.map((m) => m.name).join(', ')}.`);
      }),
    );
  group
    .command('staff')
    .description("Donne à une personne (déjà inscrite) accès à toutes les organisations du groupement")
    .requiredOption('--group <nom|id>', 'groupement')
    .requiredOption('--email <adresse>', 'personne')
    .option('--role <rôle>', 'rôle dans les organisations membres', 'rssi')
    .option('--write', "accorde l'écriture (sinon lecture seule)", false)
    .action(async (options: { group: string; email: string; role: string; write: boolean }) =>
      withServices(async (services, _config, { appendAudit }) => {
        const role = roleSchema.safeParse(options.role);
        if (!role.success) throw new Error(`Rôle inconnu : ${options.role}`);
        const target = await services.db.selectFrom('groups').select(['id', 'name']).where((eb) => eb.or([eb('name', '=', options.group), eb('id', '=', /^[0-9a-f-]{36}$/i.test(options.group) ? options.group : '00000000-0000-0000-0000-000000000000')])).executeTakeFirst();
        if (!target) throw new Error(`Groupement inconnu : ${options.group}`);
        const person = await services.db.selectFrom('users').select('id').where('email', '=', options.email.trim().toLowerCase()).executeTakeFirst();
        if (!person) throw new Error(`Aucun compte pour ${options.email} : invitez d'abord la personne (rempart user add).`);
        await services.db.transaction().execute(async (trx) => {
          await trx.insertInto('group_staff').values({ group_id: target.id, user_id: person.id, role: role.data, can_write: options.write })
            .onConflict((oc) => oc.columns(['group_id', 'user_id']).doUpdateSet({ role: role.data, can_write: options.write })).execute();
          await appendAudit(trx, services.keys, { actorUserId: null, actorLabel: 'cli (group staff)', organisationId: null, action: 'group.staff', objectType: 'group', objectId: target.id, outcome: 'success', details: { userId: person.id, role: role.data, write: options.write } });
        });
        out(`${options.email} accède aux organisations de « ${target.name} » (${role.data}, ${options.write ? 'lecture et écriture' : 'lecture seule'}).`);
      }),
    );

  program
    .command('runbooks')
    .description('Plans de réponse')
    .command('check')
    .description('Vérifie les fichiers de plans de réponse (YAML) et nomme chaque erreur : fichier, ligne, champ')
    .argument('[dossier]', 'dossier des plans de réponse', runbooksDir)
    .action(async (dir: string) => {
      const issues = checkRunbooks(dir);
      if (issues.length === 0) {
        out(`Plans de réponse valides (${dir}).`);
        return;
      }
      for (const issue of issues) out(formatIssue(issue));
      process.exitCode = 2;
    });

  program
    .command('datasets')
    .description('Extraits de données volées')
    .command('purge-expired')
    .description('Purge les extraits dont la durée de conservation est échue (le serveur le fait aussi chaque heure)')
    .action(async () => withServices(async (services, _config, { purgeExpiredDatasets }) => {
      out(`${await purgeExpiredDatasets(services)} extrait(s) purgé(s).`);
    }));

  const audit = program.command('audit').description("Piste d'audit");
  audit
    .command('verify')
    .description("Recalcule la chaîne d'empreintes et vérifie les points de contrôle signés")
    .action(async () =>
      withServices(async (services, _config, { verifyAudit }) => {
        const result = await verifyAudit(services.db, services.keys);
        if (result.ok) {
          out(`Piste d'audit intègre : ${result.entries} entrées, ${result.checkpoints} point(s) de contrôle signés.`);
        } else {
          out(`Piste d'audit ALTÉRÉE à l'entrée n° ${result.firstBroken!.seq} : ${result.firstBroken!.reason}.`);
          process.exitCode = 2;
        }
      }),
    );
  audit
    .command('checkpoint')
    .description("Signe la tête actuelle de la piste d'audit")
    .action(async () => withServices(async (services, _config, { checkpointNow }) => {
      out(`Point de contrôle signé à l'entrée ${await checkpointNow(services.db, services.keys)}.`);
    }));

  program
    .command('backup')
    .description('Écrit une archive chiffrée (format 2, en flux : mémoire constante) de toutes les tables et des fichiers')
    .requiredOption('--out <fichier>', 'archive à écrire (écrite sous <fichier>.partiel puis renommée une fois complète)')
    .option('--passphrase-file <fichier>', 'fichier contenant la phrase de passe (sinon REMPART_BACKUP_PASSPHRASE)')
    .action(async (options: { out: string; passphraseFile?: string }) => {
      const passphrase = await readPassphrase(options.passphraseFile);
      await withServices(async (services, config, { writeBackup }) => {
        const summary = await writeBackup(services.database, path.join(config.dataDir, 'files'), options.out, passphrase, services.now());
        const rows = Object.values(summary.rows).reduce((n, t) => n + t, 0);
        out(`Sauvegarde écrite : ${options.out} (${rows} lignes, ${summary.files} fichier(s), ${Math.round(summary.fileBytes / 1_048_576)} Mo de fichiers). Gardez aussi la clé maîtresse hors ligne.`);
        if (summary.skipped.length) out(`Ignorés (liens ou éléments qui ne sont pas des fichiers) : ${summary.skipped.join(', ')}`);
        if (summary.vanished.length) out(`Supprimés pendant la sauvegarde (purge entre la lecture de la base et la copie des fichiers ; leurs lignes sont dans l'archive, pas leur contenu) : ${summary.vanished.join(', ')}`);
      });
    });

  program
    .command('restore')
    .description('Restaure une archive (format 2, ou 1) dans une base et un dossier de fichiers vides, tout ou rien')
    .argument('<archive>', 'archive produite par rempart backup')
    .option('--passphrase-file <fichier>', 'fichier contenant la phrase de passe (sinon REMPART_BACKUP_PASSPHRASE)')
    .action(async (archive: string, options: { passphraseFile?: string }) => {
      const passphrase = await readPassphrase(options.passphraseFile);
      await withServices(async (services, config, { restoreArchive, verifyAudit }) => {
        const summary = await restoreArchive(services.database, path.join(config.dataDir, 'files'), archive, passphrase);
        out(`Restauration terminée (format ${summary.format}) : ${Object.entries(summary.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ')} ; ${summary.files} fichier(s).`);
        const verification = await verifyAudit(services.db, services.keys);
        out(verification.ok ? "Piste d'audit restaurée et intègre." : `Attention : piste d'audit non intègre (${verification.firstBroken?.reason}).`);
      });
    });
}
