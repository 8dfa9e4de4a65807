// Phase timings on stderr when REMPART_FORENSICS_TIMINGS=1: where a scan spends its time, measured
// on real files without a profiler. Off by default, so outputs and stderr stay as they are.
export interface Timer {
  mark(phase: string): void;
}

const silent: Timer = { mark() {} };

export function phaseTimer(label = 'forensics'): Timer {
  if (process.env.REMPART_FORENSICS_TIMINGS !== '1') return silent;
  const start = performance.now();
  let last = start;
  let lastCpu = process.cpuUsage();
  return {
    mark(phase) {
      const now = performance.now();
      // CPU time of the whole process, DuckDB's threads included: steadier than wall time when
      // the machine is shared.
      const cpu = process.cpuUsage(lastCpu);
      process.stderr.write(`[${label}] ${phase.padEnd(30)} ${((now - last) / 1000).toFixed(3)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s (total ${((now - start) / 1000).toFixed(3)} s)\n`);
      last = now;
      lastCpu = process.cpuUsage();
    },
  };
}
