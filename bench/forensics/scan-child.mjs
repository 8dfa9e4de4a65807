// The full scan as `rempart forensics scan` runs it: plain Node and the compiled engine
// (packages/forensics/dist, scripts/build-forensics.mjs), timed from before its import, in its own
// process. Prints the measure as one JSON line; `run.ts` starts it and builds the engine first.
const started = performance.now();
const file = process.argv[2];
const { scanFiles, writeOutputs } = await import('../../packages/forensics/dist/index.js');
const result = await scanFiles([file]);
writeOutputs(result, `${file}.out`);
const seconds = (performance.now() - started) / 1000;
// CPU time of the process (DuckDB's threads included) from its start, as for the references.
const usage = process.resourceUsage();
process.stdout.write(`${JSON.stringify({
  seconds,
  cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  maxRssMb: usage.maxRSS / 1024,
  extra: { lines: result.summary.lines_read, ranking: result.accounts.map((a) => ({ account: a.account, severity: a.severity, score: a.score })) },
})}\n`);
