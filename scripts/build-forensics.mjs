#!/usr/bin/env node
// The forensics engine and its command as compiled JavaScript (packages/forensics/dist/): a scan
// then starts in plain Node, without the TypeScript loader, which costs more CPU than a 1M-event
// read once every module and dependency goes through it. Built by `npm install` (`prepare`), and
// again by the `rempart` launcher whenever a source it was built from has changed since.
import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'packages/forensics/dist');
const INPUTS = join(DIST, 'inputs.json');

/**
 * Entry points, written next to packages/forensics/src/ so that the paths the engine finds from its
 * own location (../rules/, ../mappings/) stay the same.
 */
const ENTRIES = {
  index: join(ROOT, 'packages/forensics/src/index.ts'),
  cli: join(ROOT, 'apps/cli/src/forensics-main.ts'),
};

/** The engine's entry points, by name: `index` (the library), `cli` (`rempart forensics`). */
export const BUNDLES = Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, join(DIST, `${name}.js`)]));

/**
 * True when every bundle exists and no file that went into them (sources and bundled dependencies,
 * as listed by the last build) is newer or gone.
 */
export function isFresh() {
  let inputs;
  let built;
  try {
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
    built = Math.min(...Object.values(BUNDLES).map((file) => statSync(file).mtimeMs));
  } catch {
    return false;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const input of inputs) {
    try {
      if (statSync(join(ROOT, input)).mtimeMs > built) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function build() {
  const { build: esbuild } = await import('esbuild');
  // The bundles are dated from before esbuild read the sources: a source saved during the build
  // is newer than them, so the next start rebuilds.
  const started = new Date();
  const result = await esbuild({
    entryPoints: ENTRIES,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // DuckDB loads a native binding from its own package: it stays an ordinary import. The pure
    // JavaScript dependencies are bundled, so that starting a scan opens a few files, not hundreds.
    external: ['@duckdb/node-api'],
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies (iconv-lite) require Node's built-in modules.
    banner: { js: "import { createRequire as __rempartRequire } from 'node:module';\nconst require = __rempartRequire(import.meta.url);" },
    absWorkingDir: ROOT,
    outdir: DIST,
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  mkdirSync(DIST, { recursive: true });
  // Written under another name, then renamed: a launcher started meanwhile reads either the old
  // complete file or the new one.
  for (const file of result.outputFiles) {
    const part = `${file.path}.${process.pid}.part`;
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(part, file.contents);
    utimesSync(part, started, started);
    renameSync(part, file.path);
  }
  const inputs = [...Object.keys(result.metafile.inputs), 'package-lock.json'].map((p) => resolve(ROOT, p).slice(ROOT.length)).sort();
  writeFileSync(`${INPUTS}.${process.pid}.part`, `${JSON.stringify(inputs, null, 1)}\n`);
  renameSync(`${INPUTS}.${process.pid}.part`, INPUTS);
}

/** The bundle's path, built first when missing or stale; null when it cannot be built (no esbuild). */
export async function freshBundle(name) {
  if (!isFresh()) {
    try {
      await build();
    } catch (error) {
      if (process.env.REMPART_DEBUG === '1') process.stderr.write(`forensics build: ${error.message}\n`);
      return null;
    }
  }
  return BUNDLES[name] ?? null;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await build();
  } catch (error) {
    // An install without the development tools (no esbuild) must not fail on this step: the
    // launcher then runs the sources.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write("Moteur d'analyse de journaux non compilé (esbuild absent) : `rempart forensics` utilisera les sources. / Forensics engine not compiled (no esbuild): `rempart forensics` will run the sources.\n");
  }
}
