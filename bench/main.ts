// `npm run bench`: webgpu-mlp and TensorFlow.js 4.22 (webgpu backend) train the same MLPs on the
// same adapter in one run; prints samples/s, ratios, the per-step encode/wall split, matmul
// GFLOP/s against the CPU's BLAS ceiling (and the GPU's fp32 peak when --peak-tflops gives it), and
// writes everything to bench/results/<adapter>.json. Flags: bench/args.ts.

import { mkdirSync, writeFileSync } from 'node:fs';
import { describeAdapter, GpuUnavailableError, isCpuAdapter } from '../src/device/gpu.js';
import { InputError } from '../src/util/errors.js';
import { installQuietPolling, setWaitStyle } from '../src/device/waits.js';
import { releaseSharedGpu, sharedGpu } from '../src/backend/select.js';
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from './args.js';
import { blasCeiling } from './blas-ceiling.js';
import { matmulGflops, PRODUCTS } from './matmul.js';
import { benchModelBatch } from './model-batch.js';
import { benchOurs, bytesPerStep, flopsPerStep } from './ours.js';
import { benchTfjs, type Workload } from './peer-tfjs.js';

const args: BenchArgs = (() => {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(2);
  }
})();
const { quick, only } = args;

const WORKLOADS: (Workload & { steps: number; reps: number; warmup: number })[] = [
  { name: 'A', layers: [784, 256, 256, 10], activation: 'relu', batch: 128, optimizer: 'adam', lr: 1e-3, steps: quick ? 10 : 30, reps: quick ? 3 : 5, warmup: 10 },
  { name: 'B', layers: [2, 16, 16, 2], activation: 'relu', batch: 32, optimizer: 'adam', lr: 1e-3, steps: quick ? 50 : 200, reps: quick ? 3 : 5, warmup: 20 },
  { name: 'C', layers: [784, 1024, 1024, 10], activation: 'relu', batch: 512, optimizer: 'adam', lr: 1e-3, steps: quick ? 2 : 4, reps: 3, warmup: 2 },
];

/** --require-gpu met a CPU adapter: reported in one line, without lavapipe install advice. */
class NoGpuAdapterError extends Error {}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** The three products' share of the sgemm ceiling, slowest to fastest: "12-15%". */
const percentRange = (values: number[], ceiling: number) => {
  const [low, high] = [Math.min(...values), Math.max(...values)].map((v) => fmt((100 * v) / ceiling, 0));
  return low === high ? `${low}%` : `${low}-${high}%`;
};

async function main(): Promise<void> {
  // Opt in to quiet polling for the whole process, so TF.js (on the same GPU instance) waits the way we do.
  installQuietPolling();
  const gpu = await sharedGpu();
  const adapter = describeAdapter(gpu.report);
  const onCpu = isCpuAdapter(gpu.report);
  console.log(`adapter: ${adapter}${onCpu ? '  (a CPU driver: these are not a GPU\'s numbers)' : ''}`);
  if (onCpu && args.requireGpu) {
    const driver = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    throw new NoGpuAdapterError(
      `--require-gpu: the adapter is ${adapter}, a CPU driver, not a GPU ` +
        `(VK_DRIVER_FILES=${driver ?? '<unset>'}; point it at the GPU's Vulkan driver JSON, e.g. /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json)`,
    );
  }
  console.log("waits: dawn-node's event polls wait 1 ms between tries, or spin for steps of tiny dispatches (src/device/waits.ts);");
  console.log('       TF.js runs right after ours on each workload and waits the same way\n');
  const rows: Record<string, unknown>[] = [];
  console.log('workload              ours samples/s   TF.js samples/s   ours/TF.js   GFLOP/step  MB/step  ours ms/step (encode)');
  for (const w of WORKLOADS.filter((w) => !only || only.has(w.name))) {
    const ours = await benchOurs(w, { steps: w.steps, reps: w.reps, warmup: w.warmup, gpu, profile: w.name === 'A' });
    setWaitStyle(ours.waitStyle ?? 'quiet');
    const peer = await benchTfjs(w, { steps: w.steps, reps: w.reps, warmup: w.warmup, gpu: gpu.instance });
    const ratio = ours.samplesPerSec / peer.samplesPerSec;
    const flops = flopsPerStep(w);
    const bytes = bytesPerStep(w);
    rows.push({ workload: w.name, layers: w.layers, batch: w.batch, ours, tfjs: { samplesPerSec: peer.samplesPerSec, mode: peer.mode }, ratio, flopsPerStep: flops, bytesPerStep: bytes, oursGflops: flops / (ours.stepMs / 1000) / 1e9 });
    console.log(
      `${w.name} ${w.layers.join('-')} b${w.batch}`.padEnd(22) +
        fmt(ours.samplesPerSec).padStart(16) + fmt(peer.samplesPerSec).padStart(18) + `${fmt(ratio, 2)}x`.padStart(13) +
        fmt(flops / 1e9, 3).padStart(13) + fmt(bytes / 1e6, 1).padStart(9) + `   ${fmt(ours.stepMs, 2)} (${fmt(ours.encodeMs, 3)}), ${ours.dispatchesPerStep} dispatches`,
    );
  }
  const profiled = rows.find((r) => (r.ours as { kernels?: unknown }).kernels);
  if (profiled) {
    const kernels = (profiled.ours as { kernels: { what: string; ms: number }[] }).kernels;
    const total = kernels.reduce((sum, k) => sum + k.ms, 0);
    console.log(`\n${profiled.workload}: GPU time per dispatch, each timed alone (sum ${fmt(total, 2)} ms vs ${fmt((profiled.ours as { stepMs: number }).stepMs, 2)} ms per step)`);
    for (const k of kernels) console.log(`  ${fmt(k.ms, 3).padStart(8)} ms  ${k.what}`);
  }
  if (!only || only.has('cpu')) {
    const a = WORKLOADS[0];
    const cpu = await benchOurs(a, { steps: 3, reps: 3, warmup: 1 });
    rows.push({ workload: 'A-cpu', ours: cpu });
    console.log(`A on our CPU backend (float64 reference): ${fmt(cpu.samplesPerSec)} samples/s`);
  }

  if (!only || only.has('sweep')) rows.push(...(await sweepTable(gpu)));

  const kernels: Record<string, unknown>[] = [];
  const blasSizes = args.matmulSizes.filter((n) => n <= 1024);
  const blas = quick || blasSizes.length === 0 ? null : await blasCeiling({ sizes: blasSizes });
  const peak = args.peakFlops;
  // The peak share (best of the three products) sits before the BLAS column, whose width varies.
  if (peak) console.log(`\n% of peak: the best product's GFLOP/s over the ${fmt(peak / 1e12, 1)} TFLOP/s fp32 peak given by --peak-tflops`);
  console.log(
    `${peak ? '' : '\n'}matmul GFLOP/s (f32)   ${PRODUCTS.map((p) => p.name.padStart(9)).join('')}${peak ? '  % of peak' : ''}` +
      `   BLAS sgemm${blas ? ` (${blas.python})` : quick ? ' (skipped: --quick)' : ' (numpy not found: skipped)'}`,
  );
  for (const n of args.matmulSizes) {
    const values: number[] = [];
    for (const p of PRODUCTS) values.push(await matmulGflops(gpu, n, p.transA, p.transB, n >= 1000 ? 3 : 10));
    const ceiling = blas?.gflops[n];
    const fractionOfPeak = peak ? (Math.max(...values) * 1e9) / peak : undefined;
    kernels.push({ n, gflops: Object.fromEntries(PRODUCTS.map((p, i) => [p.name, values[i]])), blas: ceiling, fractionOfPeak });
    console.log(
      `n = ${n}`.padEnd(23) + values.map((v) => fmt(v, 1).padStart(9)).join('') +
        (fractionOfPeak !== undefined ? `${fmt(100 * fractionOfPeak, 1)}%`.padStart(11) : '') +
        (ceiling ? `   ${fmt(ceiling, 1)}  (ours ${percentRange(values, ceiling)})` : ''),
    );
  }

  const slug = adapter.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${slug}.json`;
  writeFileSync(file, JSON.stringify({ adapter, cpuAdapter: onCpu, date: new Date().toISOString(), quick, peakTflops: peak ? peak / 1e12 : undefined, workloads: rows, kernels, blas }, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
  await releaseSharedGpu();
}

/** Model batches of B (N = 1..256) and A (N = 1, 8): model-steps/s against one model at a time. */
async function sweepTable(gpu: Awaited<ReturnType<typeof sharedGpu>>): Promise<Record<string, unknown>[]> {
  console.log('\nmodel batches: N models of one workload, one dispatch per op for all of them, one submit per step');
  console.log('workload              models    ms/step   model-steps/s   vs 1 model   GFLOP/s  dispatches');
  const rows: Record<string, unknown>[] = [];
  const plan: [string, number[]][] = [['B', quick ? [1, 16, 64] : [1, 4, 16, 64, 256]], ['A', [1, 8]]];
  for (const [name, sizes] of plan) {
    const w = WORKLOADS.find((x) => x.name === name)!;
    let alone = 0;
    for (const n of sizes) {
      const steps = Math.max(quick ? 3 : 5, Math.round(w.steps / Math.sqrt(n)));
      const r = await benchModelBatch(w, n, { steps, reps: w.reps, warmup: Math.min(w.warmup, 5), gpu });
      if (n === 1) alone = r.modelStepsPerSec;
      const gflops = (flopsPerStep(w) * n) / (r.stepMs / 1000) / 1e9;
      rows.push({ workload: `${name}-batch`, layers: w.layers, batch: w.batch, ...r, gflops, vsAlone: r.modelStepsPerSec / alone });
      console.log(
        `${name} ${w.layers.join('-')} b${w.batch}`.padEnd(22) + String(n).padStart(6) + fmt(r.stepMs, 2).padStart(11) +
          fmt(r.modelStepsPerSec).padStart(16) + `${fmt(r.modelStepsPerSec / alone, 1)}x`.padStart(13) + fmt(gflops, 1).padStart(10) + String(r.dispatchesPerStep).padStart(12),
      );
    }
  }
  const b64 = rows.find((r) => r.workload === 'B-batch' && r.models === 64) as { vsAlone: number } | undefined;
  if (b64) console.log(`B, 64 models at once: ${fmt(b64.vsAlone, 1)}x the model-steps/s of training them one at a time (target >= 20x)`);
  return rows;
}

if (args.help) {
  console.log(BENCH_USAGE);
} else {
  try {
    await main();
  } catch (err) {
    // No adapter (or a CPU one under --require-gpu): the message says what to install or set; no stack.
    if (!(err instanceof GpuUnavailableError || err instanceof NoGpuAdapterError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    await releaseSharedGpu();
    process.exitCode = 3;
  }
}
