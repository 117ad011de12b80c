// CPU sgemm ceiling for the side-by-side benchmark: runs bench/blas.py (NumPy float32 matmul, i.e. the
// machine's BLAS) under each Python that has numpy and returns the best {n: GFLOP/s}, or null when no
// Python with numpy is found (the benchmark then just omits the ceiling). No top-level side effects.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BlasCeiling {
  /** Square size n -> GFLOP/s (2n^3 flops / median time per matmul). */
  gflops: Record<number, number>;
  /** Interpreter that produced these numbers. */
  python: string;
  numpy?: string;
  /** BLAS shared libraries numpy had loaded (e.g. libopenblas...; netlib libblas.so.3 is slow). */
  blas?: string[];
}

export interface BlasOptions {
  sizes?: number[];
  /** Interpreters to try; default: $BENCH_PYTHON, `python3` on PATH, /usr/bin/python3. */
  pythons?: string[];
  /** Path to blas.py; default: next to this module, else ./bench/blas.py from the cwd. */
  script?: string;
  /** Per-interpreter time limit, ms. Default 60 s. */
  timeoutMs?: number;
}

function findScript(explicit?: string): string | null {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  try {
    candidates.push(fileURLToPath(new URL('./blas.py', import.meta.url)));
  } catch {
    // import.meta.url not a file: URL (bundled elsewhere); fall through to the cwd.
  }
  candidates.push(resolve(process.cwd(), 'bench/blas.py'));
  return candidates.find((p) => existsSync(p)) ?? null;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      res({ code, out: String(stdout), err: String(stderr) });
    });
  });
}

/**
 * Times float32 matmul through NumPy's BLAS. Each interpreter that has numpy is run once, one after the
 * other (never concurrently); the result with the highest peak GFLOP/s is returned (Debian's numpy
 * falls back to slow netlib BLAS when no OpenBLAS is installed, a pip wheel bundles OpenBLAS).
 * Resolves to null, never rejects, when no interpreter has numpy or the script is missing.
 */
export async function blasCeiling(opts: BlasOptions = {}): Promise<BlasCeiling | null> {
  const script = findScript(opts.script);
  if (!script) return null;
  const sizes = opts.sizes ?? [256, 512, 1024, 1000];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pythons = opts.pythons ?? [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (p): p is string => !!p,
  );

  const seen = new Set<string>();
  let best: BlasCeiling | null = null;
  let bestPeak = -Infinity;
  for (const py of [...new Set(pythons)]) {
    let r: { code: number; out: string; err: string };
    try {
      r = await run(py, [script, ...sizes.map(String)], timeoutMs);
    } catch {
      continue;
    }
    if (r.code !== 0) continue; // missing interpreter (ENOENT), no numpy (exit 3), timeout, crash
    const metaLine = r.err.split('\n').find((l) => l.startsWith('meta '));
    let meta: { python?: string; numpy?: string; blas?: string[] } = {};
    try {
      if (metaLine) meta = JSON.parse(metaLine.slice(5));
    } catch {
      // meta is informative only
    }
    const exe = meta.python ?? py;
    if (seen.has(exe)) continue; // `python3` on PATH may be /usr/bin/python3 itself
    seen.add(exe);
    let parsed: Record<string, number>;
    try {
      parsed = JSON.parse(r.out.trim().split('\n').pop() ?? '');
    } catch {
      continue;
    }
    const gflops: Record<number, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (Number.isFinite(v)) gflops[Number(k)] = v;
    const peak = Math.max(...Object.values(gflops));
    if (peak > bestPeak) {
      bestPeak = peak;
      best = { gflops, python: exe, numpy: meta.numpy, blas: meta.blas };
    }
  }
  return best;
}
