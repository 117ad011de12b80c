// Debian's Python with torch (/usr/bin/python3 + python3-torch; NOT the pyenv python3 on PATH).
// Without it the PyTorch tests skip with a reason printed, except under CI=true, where .ci/run
// installs it and its absence is a failure.

import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
export const torchVersion = probe.status === 0 ? probe.stdout.trim() : undefined;
export const torchMissing = torchVersion === undefined ? `${PYTHON} cannot import torch and numpy (apt-get install python3-torch python3-numpy libopenblas0-pthread): ${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}` : undefined;

/** Off CI the torch tests skip (with the reason printed) where torch is missing; under CI=true they run, and fail. */
export const skipTorch = Boolean(torchMissing) && process.env.CI !== 'true';
if (skipTorch) console.warn(`[torch tests skipped] ${torchMissing}`);

/** Runs a Python script (text) with args; throws with its stderr on failure. */
export function runPython(script: string, args: string[] = [], cwd?: string): string {
  // One thread: the machine is shared, and the results do not depend on it.
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', cwd, env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}
