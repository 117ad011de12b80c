// `npm run bench`: webgpu-mlp and TensorFlow.js 4.22 (webgpu backend) train the same MLPs on the
// same adapter in one run; prints samples/s, ratios, the per-step encode/wall split, matmul
// GFLOP/s against the CPU's BLAS ceiling, and writes everything to bench/results/<adapter>.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { describeAdapter } from '../src/device/gpu.js';
import { installQuietPolling, setWaitStyle } from '../src/device/waits.js';
import { releaseSharedGpu, sharedGpu } from '../src/backend/select.js';
import { blasCeiling } from './blas-ceiling.js';
import { matmulGflops, PRODUCTS } from './matmul.js';
import { benchOurs, bytesPerStep, flopsPerStep } from './ours.js';
import { benchTfjs, type Workload } from './peer-tfjs.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

const WORKLOADS: (Workload & { steps: number; reps: number; warmup: number })[] = [
  { name: 'A', layers: [784, 256, 256, 10], activation: 'relu', batch: 128, optimizer: 'adam', lr: 1e-3, steps: quick ? 10 : 30, reps: quick ? 3 : 5, warmup: 10 },
  { name: 'B', layers: [2, 16, 16, 2], activation: 'relu', batch: 32, optimizer: 'adam', lr: 1e-3, steps: quick ? 50 : 200, reps: quick ? 3 : 5, warmup: 20 },
  { name: 'C', layers: [784, 1024, 1024, 10], activation: 'relu', batch: 512, optimizer: 'adam', lr: 1e-3, steps: quick ? 2 : 4, reps: 3, warmup: 2 },
];

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
  console.log(`adapter: ${adapter}`);
  console.log("waits: dawn-node's event polls wait 1 ms between tries, or spin for steps of tiny dispatches (src/device/waits.ts);");
  console.log('       TF.js runs right after ours on each workload and waits the same way\n');
  const rows: Record<string, unknown>[] = [];
  console.log('workload              ours samples/s   TF.js samples/s   ours/TF.js   GFLOP/step  MB/step  ours ms/step (encode)');
  for (const w of WORKLOADS.filter((w) => !only || only.includes(w.name))) {
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
  if (!only || only.includes('cpu')) {
    const a = WORKLOADS[0];
    const cpu = await benchOurs(a, { steps: 3, reps: 3, warmup: 1 });
    rows.push({ workload: 'A-cpu', ours: cpu });
    console.log(`A on our CPU backend (float64 reference): ${fmt(cpu.samplesPerSec)} samples/s`);
  }

  const kernels: Record<string, unknown>[] = [];
  const blas = quick ? null : await blasCeiling({ sizes: [256, 512, 1000, 1024] });
  console.log(`\nmatmul GFLOP/s (f32)   ${PRODUCTS.map((p) => p.name.padStart(9)).join('')}   BLAS sgemm${blas ? ` (${blas.python})` : ' (numpy not found: skipped)'}`);
  for (const n of quick ? [256, 1000] : [256, 512, 1000, 1024]) {
    const values: number[] = [];
    for (const p of PRODUCTS) values.push(await matmulGflops(gpu, n, p.transA, p.transB, n >= 1000 ? 3 : 10));
    const ceiling = blas?.gflops[n];
    kernels.push({ n, gflops: Object.fromEntries(PRODUCTS.map((p, i) => [p.name, values[i]])), blas: ceiling });
    console.log(`n = ${n}`.padEnd(23) + values.map((v) => fmt(v, 1).padStart(9)).join('') + (ceiling ? `   ${fmt(ceiling, 1)}  (ours ${percentRange(values, ceiling)})` : ''));
  }

  const slug = adapter.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${slug}.json`;
  writeFileSync(file, JSON.stringify({ adapter, date: new Date().toISOString(), quick, workloads: rows, kernels, blas }, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
  await releaseSharedGpu();
}

await main();
