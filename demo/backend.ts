// The page's backends: finds out once whether the browser offers WebGPU (its adapter is named in
// the header; without one, a browser-appropriate notice says why and what to do), and picks the
// backend a run trains on: WebGPU, CPU, or Auto, which measures a few steps on each for the
// current network (in the training worker, where the run will train) and keeps the faster
// (remembered per network size).

import { createBackend, describeAdapter, GpuUnavailableError, sharedGpu, type Backend, type Dataset, type ModelSpec, type NormalizerKind } from '../src/index.js';
import type { TrainSettings } from './train-options.js';
import { request } from './worker-client.js';

export type BackendKind = 'webgpu' | 'cpu';
export type BackendChoice = 'auto' | BackendKind;

export interface PageBackend {
  /** The WebGPU backend, when the browser has an adapter (verify uses it). */
  gpu?: Backend;
  /** Text for the adapter badge. */
  label: string;
  /** Why WebGPU is not available, in words for a browser user. */
  notice?: string;
}

export async function initBackend(): Promise<PageBackend> {
  if (!('gpu' in navigator)) {
    return { label: 'CPU backend — this browser has no WebGPU', notice: 'This browser does not offer WebGPU, so the network trains on the CPU (fine for the small networks here). For the GPU, use a current Chrome or Edge (113 or later), Safari 26+, or Firefox 141+ on Windows; on Linux, Chrome needs chrome://flags/#enable-unsafe-webgpu.' };
  }
  try {
    const gpu = await sharedGpu();
    const backend = await createBackend('webgpu', gpu);
    return { gpu: backend, label: `WebGPU: ${describeAdapter(gpu.report)}` };
  } catch (err) {
    const why = err instanceof GpuUnavailableError ? 'the browser has WebGPU but found no usable GPU adapter (blocked GPU, old driver, or WebGPU turned off in the browser settings)' : `WebGPU failed to start (${(err as Error).message})`;
    return { label: 'CPU backend — WebGPU unavailable', notice: `Training runs on the CPU: ${why}. Updating the browser or the graphics driver usually helps; chrome://gpu shows what Chrome sees.` };
  }
}

let cpuSingleton: Promise<Backend> | undefined;
/** A second, CPU-only backend for the cross-backend check. */
export function cpuBackend(): Promise<Backend> {
  cpuSingleton ??= createBackend('cpu');
  return cpuSingleton;
}

let tail: Promise<unknown> = Promise.resolve();
/** Runs `fn` after every earlier exclusive call has settled (one program set bound at a time). */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}

export interface BackendDecision {
  kind: BackendKind;
  /** One line for the page: which backend trains, and why. */
  why: string;
  /** Measured optimizer steps per second, when Auto measured them. */
  stepsPerSec?: Partial<Record<BackendKind, number>>;
}

/** How long Auto waits for WebGPU's first steps (pipeline compilation included) before it keeps the CPU. */
const GPU_PATIENCE_MS = 6000;
const decisions = new Map<string, BackendDecision>();

export function networkKey(spec: ModelSpec, batch: number): string {
  return `${spec.inputSize}-${spec.hidden.map((h) => h.units).join('-')}-${spec.outputSize}/b${batch}`;
}

const rate = (v: number) => `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(2)} steps/s`;

export async function decideBackend(choice: BackendChoice, page: PageBackend, spec: ModelSpec, train: Dataset, settings: TrainSettings, normalize?: NormalizerKind): Promise<BackendDecision> {
  if (choice === 'cpu') return { kind: 'cpu', why: 'CPU chosen.' };
  if (!page.gpu) return { kind: 'cpu', why: choice === 'webgpu' ? 'WebGPU chosen, but this browser has none: training on the CPU.' : 'Auto: no WebGPU here, so the CPU.' };
  if (choice === 'webgpu') return { kind: 'webgpu', why: 'WebGPU chosen.' };
  const key = networkKey(spec, settings.batchSize);
  const known = decisions.get(key);
  if (known) return known;
  const measure = (kind: BackendKind) => request<number>({ op: 'measure', kind, spec, train, settings, normalize });
  const cpu = await measure('cpu');
  const gpuRun = measure('webgpu');
  const gpu = await Promise.race([gpuRun, new Promise<undefined>((ok) => setTimeout(() => ok(undefined), GPU_PATIENCE_MS))]).catch(() => undefined);
  const net = `${spec.inputSize}-${spec.hidden.map((h) => h.units).join('-')}-${spec.outputSize}, batch ${settings.batchSize}`;
  let decision: BackendDecision;
  if (gpu === undefined) decision = { kind: 'cpu', why: `Auto: CPU — ${rate(cpu)}; WebGPU had not finished its first steps after ${GPU_PATIENCE_MS / 1000} s (network ${net}).`, stepsPerSec: { cpu } };
  else {
    const kind: BackendKind = gpu > cpu ? 'webgpu' : 'cpu';
    decision = { kind, why: `Auto: ${kind === 'webgpu' ? 'WebGPU' : 'CPU'} — measured ${rate(gpu)} on WebGPU vs ${rate(cpu)} on the CPU for ${net}.`, stepsPerSec: { webgpu: gpu, cpu } };
  }
  decisions.set(key, decision);
  return decision;
}
