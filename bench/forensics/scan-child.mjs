// The full scans as `rempart forensics scan` runs them: plain Node and the compiled engine
// (packages/forensics/dist, scripts/build-forensics.mjs), timed from before its import, in its own
// process. `scan`: canonical NDJSON, outputs written; `csvscan`: the vendor CSV through its mapping
// by DuckDB's read_csv; `csvscan-node`: the same through the Node reader. Prints the measure as one
// JSON line; `run.ts` starts it and builds the engine first.
const started = performance.now();
const [kind, file] = process.argv.slice(2);
const { scanFiles, writeOutputs, loadMappingOrThrow, VENDOR_MAPPING_FILE } = await import('../../packages/forensics/dist/index.js');
let extra;
if (kind === 'scan') {
  const result = await scanFiles([file]);
  writeOutputs(result, `${file}.out`);
  extra = { lines: result.summary.lines_read, ranking: result.accounts.map((a) => ({ account: a.account, severity: a.severity, score: a.score })) };
} else if (kind === 'csvscan' || kind === 'csvscan-node') {
  const result = await scanFiles([file], { mapping: loadMappingOrThrow(VENDOR_MAPPING_FILE), forceNodeReader: kind === 'csvscan-node' });
  extra = { lines: result.summary.lines_read, rejected: result.summary.rejected, top: result.accounts.slice(0, 7).map((a) => a.account), path: result.summary.files[0]?.path, fallback: result.summary.files[0]?.fallback };
} else {
  throw new Error(`unknown kind: ${kind}`);
}
const seconds = (performance.now() - started) / 1000;
// CPU time of the process (DuckDB's threads included) from its start, as for the references.
const usage = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssMb: usage.maxRSS / 1024, extra })}\n`);
