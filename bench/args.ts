// The benchmark's command line: which workloads, which matmul sizes, the GPU's fp32 peak (given by
// the user, never guessed) and whether a CPU adapter is refused. Bad flags fail here, in one line,
// before any GPU work; `npm run bench -- --help` prints the usage.

import { parseArgs } from 'node:util';
import { InputError } from '../src/util/errors.js';

export const BENCH_USAGE = `usage: bench [--quick] [--only=A,B,C,cpu,sweep] [--matmul=256,512,1000,1024,4096] [--peak-tflops=<n>] [--require-gpu]
  --quick           fewer steps and repetitions, no BLAS ceiling, matmul at 256 and 1000 only
  --only=<list>     workloads to run, comma-separated: A, B, C, cpu (A on the float64 CPU backend),
                    sweep (model batches: B at N = 1..256 models, A at N = 1, 8);
                    'none' for the matmul table alone
  --matmul=<sizes>  square matmul sizes to time (default 256,512,1000,1024; 4096 for a real GPU)
  --peak-tflops=<n> the adapter's fp32 peak in TFLOP/s (from its spec sheet): adds each size's share of it
  --require-gpu     stop with an error when the adapter is a CPU driver (lavapipe, SwiftShader)`;

export interface BenchArgs {
  quick: boolean;
  /** Workload names to run (A, B, C, cpu); undefined = all. */
  only?: Set<string>;
  matmulSizes: number[];
  /** fp32 peak of the adapter, FLOP/s, as the user stated it. */
  peakFlops?: number;
  requireGpu: boolean;
  help: boolean;
}

const OPTIONS = {
  quick: { type: 'boolean' },
  only: { type: 'string' },
  matmul: { type: 'string' },
  'peak-tflops': { type: 'string' },
  'require-gpu': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WORKLOAD_NAMES = ['A', 'B', 'C', 'cpu', 'sweep', 'none'];

/** Largest square size timed: 3 n² f32 buffers must fit in the adapter's limits (16384² is 1 GiB each). */
const MAX_MATMUL = 16384;

export function parseBenchArgs(argv: string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new InputError('bench flags', argv.join(' '), `flags from the usage (${(err as Error).message})\n${BENCH_USAGE}`);
  }
  const quick = Boolean(values.quick);
  const matmulSizes = values.matmul === undefined ? (quick ? [256, 1000] : [256, 512, 1000, 1024]) : values.matmul.split(',').map(Number);
  if (matmulSizes.length === 0 || !matmulSizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_MATMUL)) {
    throw new InputError('--matmul', values.matmul, `comma-separated integers from 1 to ${MAX_MATMUL}, e.g. 1024,4096`);
  }
  const only = values.only === undefined ? undefined : new Set(values.only.split(','));
  if (only && ![...only].every((name) => WORKLOAD_NAMES.includes(name))) {
    throw new InputError('--only', values.only, `a comma-separated list of ${WORKLOAD_NAMES.join(', ')}`);
  }
  let peakFlops: number | undefined;
  if (values['peak-tflops'] !== undefined) {
    const tflops = Number(values['peak-tflops']);
    if (!(Number.isFinite(tflops) && tflops > 0)) throw new InputError('--peak-tflops', values['peak-tflops'], 'a positive number of TFLOP/s, e.g. 67');
    peakFlops = tflops * 1e12;
  }
  return { quick, only, matmulSizes, peakFlops, requireGpu: Boolean(values['require-gpu']), help: Boolean(values.help) };
}
