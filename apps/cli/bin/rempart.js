#!/usr/bin/env node
// `rempart forensics …` runs its compiled bundle in plain Node (rebuilt first when a source changed);
// everything else runs the TypeScript sources directly through tsx: no build step between a clone
// and a start.
let bundle = null;
if (process.argv[2] === 'forensics') {
  const { freshBundle } = await import('../../../scripts/build-forensics.mjs');
  bundle = await freshBundle('cli');
}
if (bundle) {
  const { pathToFileURL } = await import('node:url');
  const { main } = await import(pathToFileURL(bundle).href);
  process.exitCode = await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/index.ts');
  process.exitCode = await main(process.argv);
}
