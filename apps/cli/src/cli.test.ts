// The CLI as an operator uses it: init a real deployment, invite, verify the trail, back up and
// restore into a fresh data folder. Runs in-process on PGlite folders under the temp directory.
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './index.ts';

async function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'rempart', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.env = saved;
    process.exitCode = undefined;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('rempart CLI', () => {
  it('initialises a deployment, invites, verifies the audit trail and survives a backup/restore', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rempart-cli-'));
    const env = { REMPART_DATA_DIR: dataDir, REMPART_BACKUP_PASSPHRASE: 'phrase de passe de test' };

    const init = await run(['init', '--org-name', 'Commune de Test', '--siren', '219499902', '--admin-email', 'dsi@test.fr'], env);
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/Lien à usage unique pour l'administrateur : http:\/\/localhost:3000\/invitation\/[\w-]+/);
    expect(await readFile(path.join(dataDir, 'keys', 'master.key'), 'utf8')).toMatch(/^[A-Za-z0-9+/=]{44}\n$/);

    const again = await run(['init', '--org-name', 'Autre', '--admin-email', 'x@test.fr'], env);
    expect(again.code).toBe(1);
    expect(again.err).toContain('déjà initialisé');

    const badSiren = await run(['init', '--org-name', 'Autre', '--siren', '123456789', '--admin-email', 'x@test.fr'], { REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-cli-')) });
    expect(badSiren.code).toBe(1);
    expect(badSiren.err).toContain('SIREN invalide');

    const invite = await run(['user', 'add', '--email', 'dpo@test.fr', '--role', 'dpo'], env);
    expect(invite.out).toMatch(/Lien à usage unique : http/);
    const badRole = await run(['user', 'add', '--email', 'x@test.fr', '--role', 'chef'], env);
    expect(badRole.err).toContain('Rôle inconnu');

    const verify = await run(['audit', 'verify'], env);
    expect(verify.out).toMatch(/Piste d'audit intègre : 3 entrées/);

    const archive = path.join(dataDir, 'sauvegarde.rmpbk');
    const backup = await run(['backup', '--out', archive], env);
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/Sauvegarde écrite : .*\(\d+ lignes, 0 fichier\(s\)/);
    expect((await readFile(archive)).subarray(0, 6).toString()).toBe('RMPBK2');

    // Restoring needs the same master key: the operator copies it to the new machine.
    const restoredDir = await mkdtemp(path.join(tmpdir(), 'rempart-cli-restore-'));
    const key = (await readFile(path.join(dataDir, 'keys', 'master.key'), 'utf8')).trim();
    const restore = await run(['restore', archive], { ...env, REMPART_DATA_DIR: restoredDir, REMPART_MASTER_KEY: key });
    expect(restore.err).toBe('');
    expect(restore.out).toContain('Restauration terminée (format 2)');
    expect(restore.out).toContain("Piste d'audit restaurée et intègre.");

    await writeFile(path.join(dataDir, 'wrong.pass'), 'une autre phrase de passe');
    const wrong = await run(['restore', archive, '--passphrase-file', path.join(dataDir, 'wrong.pass')], { ...env, REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-cli-')), REMPART_MASTER_KEY: key });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('Phrase de passe incorrecte');
    expect(wrong.err).toContain("Rien n'a été restauré.");
  });

  it('refuses to start without a master key rather than store data in clear', async () => {
    const r = await run(['audit', 'verify'], { REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-cli-')) });
    expect(r.code).toBe(1);
    expect(r.err).toContain('Aucune clé maîtresse');
  });
});
