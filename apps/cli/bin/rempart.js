#!/usr/bin/env node
// `rempart forensics …` runs its compiled bundle in plain Node (rebuilt first when a source changed);
// everything else runs the TypeScript sources directly through tsx: no build step between a clone
// and a start.
let entry = new URL('../src/index.ts', import.meta.url).href;
const bundle = process.argv[2] === 'forensics' ? await (await import('../../../scripts/build-forensics.mjs')).freshBundle('cli') : null;
if (bundle) entry = (await import('node:url')).pathToFileURL(bundle).href;
else (await import('tsx/esm/api')).register();
const { main } = await import(entry);
process.exitCode = await main(process.argv);
