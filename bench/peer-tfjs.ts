// Peer half of the side-by-side benchmark: trains the same MLP (dense+ReLU layers, linear logits,
// softmax cross-entropy, Adam) with TensorFlow.js 4.22 on its `webgpu` backend (dawn-node via the
// `webgpu` npm package) or its `cpu` backend, and reports median samples/s over timed repetitions.
// Importable ESM with no top-level side effects: TF.js is loaded lazily inside benchTfjs().

import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';

/** One benchmark workload, shared with our own side of the benchmark. */
export interface Workload {
  name: string;
  /** Layer widths including input and output, e.g. [784, 256, 256, 10]. */
  layers: number[];
  activation: 'relu';
  batch: number;
  optimizer: 'adam';
  lr: number;
}

export interface PeerOptions {
  /** Timed steps per repetition. */
  steps: number;
  /** Timed repetitions; the reported rate is the median over them. */
  reps: number;
  /** Untimed steps first (shader compilation, buffer pools). Default 10 (with 5 the first timed
   *  repetition of the tiny workload still ran ~2x slow on lavapipe). */
  warmup?: number;
  /** TF.js backend. Default 'webgpu'. */
  backend?: 'webgpu' | 'cpu';
  /** Seed for data and weight initialisation. Default 1234. */
  seed?: number;
  /**
   * Training loop. 'minimize' (default): `optimizer.minimize(lossFn, true, vars)` per step, the loss read
   * back only at the end of each repetition. 'trainOnBatch': Keras `model.compile` + `model.trainOnBatch`,
   * which awaits the loss every step. Same math either way (trainOnBatch calls minimize internally).
   * Measured interleaved in one process on dawn-node + lavapipe (2 busy cores, noisy), 784-256-256-10
   * batch 128: minimize 1089/1341/1678 vs trainOnBatch 1044/1303/1382 samples/s, minimize ahead in
   * every pair; on 2-16-16-2 batch 32 the two were within noise. So 'minimize' is the default.
   */
  mode?: 'minimize' | 'trainOnBatch';
  /** Distinct preloaded batches cycled through (all generated before timing). Default 4. */
  dataBatches?: number;
  /** A `GPU` (navigator.gpu) to use instead of creating one with the `webgpu` package. */
  gpu?: GPU;
}

export interface PeerResult {
  /** Median over repetitions of batch * steps / seconds. */
  samplesPerSec: number;
  /** Per repetition: wall milliseconds per step (repetition time / steps), in run order. */
  stepMs: number[];
  /** The TF.js backend that actually ran, e.g. 'webgpu' or 'cpu'. */
  backend: string;
  /** Which training loop ran. */
  mode: 'minimize' | 'trainOnBatch';
  /** Adapter description for webgpu runs (vendor/architecture/description), when known. */
  adapter?: string;
}

type Tf = typeof TfCore;

// The dawn-node GPU instance must stay referenced while any adapter/device made from it lives, or
// dawn-node segfaults in CallbackTaskManager::Flush. Module-level so it outlives every run.
let heldGpu: GPU | undefined;

async function ensureNavigatorGpu(gpu?: GPU): Promise<GPU> {
  if (gpu) {
    heldGpu = gpu;
  } else if (!heldGpu) {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    heldGpu = create([]) as unknown as GPU;
  }
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator && typeof g.navigator === 'object') {
    if (g.navigator.gpu !== heldGpu) {
      try {
        Object.defineProperty(g.navigator, 'gpu', { value: heldGpu, configurable: true, writable: true });
      } catch {
        Object.defineProperty(globalThis, 'navigator', { value: { gpu: heldGpu }, configurable: true, writable: true });
      }
    }
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: heldGpu }, configurable: true, writable: true });
  }
  return heldGpu;
}

/** Registers (or re-registers) TF.js's 'webgpu' backend with a device we own, so we can destroy it. */
async function setupWebgpuBackend(tf: Tf, gpu: GPU): Promise<{ device: GPUDevice; adapter: string }> {
  // Importing the package registers its own 'webgpu' factory when navigator.gpu exists; we replace it
  // with an equivalent one (same descriptor as tfjs-backend-webgpu's base.ts) that hands us the device.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') || tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  let device: GPUDevice | undefined;
  let adapterText = '';
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null (no WebGPU adapter)');
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const l = adapter.limits;
      device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      const info = adapter.info;
      adapterText = info
        ? [info.vendor, info.architecture, info.description].filter((s) => s).join(' / ')
        : '';
      // WebGPUBackend's constructor takes (device, adapterInfo?); typed loosely across versions.
      return new (WebGPUBackend as unknown as new (d: GPUDevice, i?: unknown) => TfCore.KernelBackend)(
        device,
        info,
      );
    },
    3,
  );
  const ok = await tf.setBackend('webgpu');
  if (!ok || !device) throw new Error('TF.js could not initialise its webgpu backend');
  return { device, adapter: adapterText };
}

/** mulberry32: small seeded PRNG, uniform [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Trains `workload` with TF.js on the chosen backend and returns the median samples/s over `reps`
 * repetitions of `steps` steps (after `warmup` untimed steps). Each repetition ends with
 * `await loss.data()` so the queued GPU work has really finished before the clock stops.
 */
export async function benchTfjs(workload: Workload, opts: PeerOptions): Promise<PeerResult> {
  const backendName = opts.backend ?? 'webgpu';
  const mode = opts.mode ?? 'minimize';
  const warmup = opts.warmup ?? 10;
  const seed = opts.seed ?? 1234;
  const nData = Math.max(1, opts.dataBatches ?? 4);
  const { layers, batch } = workload;
  if (layers.length < 2) throw new Error(`workload ${workload.name}: need at least 2 layer widths`);
  if (workload.activation !== 'relu' || workload.optimizer !== 'adam') {
    throw new Error(`workload ${workload.name}: only relu + adam are supported`);
  }

  // navigator.gpu must exist before tfjs-backend-webgpu is first imported (it registers on import).
  const gpu = backendName === 'webgpu' ? await ensureNavigatorGpu(opts.gpu) : undefined;
  const tf: Tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const tfl: typeof TfLayers = await import('@tensorflow/tfjs-layers');
  tf.enableProdMode(); // skips TF.js's debug-only checks and Node warnings, as a tuned user would

  let device: GPUDevice | undefined;
  let adapter: string | undefined;
  if (backendName === 'webgpu') {
    ({ device, adapter } = await setupWebgpuBackend(tf, gpu!));
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('TF.js could not initialise its cpu backend');
  }

  const inDim = layers[0];
  const classes = layers[layers.length - 1];
  const model = tfl.sequential();
  for (let i = 1; i < layers.length; i++) {
    const last = i === layers.length - 1;
    model.add(
      tfl.layers.dense({
        units: layers[i],
        activation: last ? 'linear' : 'relu', // output layer: raw logits
        useBias: true,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
        biasInitializer: 'zeros',
        ...(i === 1 ? { inputShape: [inDim] } : {}),
      }),
    );
  }
  const optimizer = tf.train.adam(workload.lr, 0.9, 0.999, 1e-7);
  // Softmax cross-entropy on logits, mean over the batch (SUM_BY_NONZERO_WEIGHTS with unit weights).
  // tfjs-core has no sparse variant, so integer labels are one-hot encoded once, while preloading.
  const lossFn = (yOneHot: TfCore.Tensor, logits: TfCore.Tensor): TfCore.Scalar =>
    tf.losses.softmaxCrossEntropy(yOneHot, logits) as TfCore.Scalar;

  // Preloaded, seeded data: uniform [0,1) inputs and uniform random integer labels.
  const r = rng(seed);
  const xs: TfCore.Tensor2D[] = [];
  const ys: TfCore.Tensor2D[] = [];
  for (let b = 0; b < nData; b++) {
    const x = new Float32Array(batch * inDim);
    for (let i = 0; i < x.length; i++) x[i] = r();
    const labels = new Int32Array(batch);
    for (let i = 0; i < batch; i++) labels[i] = Math.min(classes - 1, Math.floor(r() * classes));
    xs.push(tf.tensor2d(x, [batch, inDim], 'float32'));
    ys.push(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as TfCore.Tensor2D));
  }
  // Make sure uploads are done before anything is timed.
  for (const t of [...xs, ...ys]) await t.data();

  let step: (i: number) => Promise<TfCore.Scalar | number>;
  if (mode === 'trainOnBatch') {
    model.compile({ optimizer, loss: (yTrue, yPred) => lossFn(yTrue, yPred) });
    step = async (i) => {
      const out = await model.trainOnBatch(xs[i % nData], ys[i % nData]);
      return Array.isArray(out) ? out[0] : out;
    };
  } else {
    const vars = model.trainableWeights.map((w) => w.read() as TfCore.Variable);
    let prev: TfCore.Scalar | null = null;
    step = async (i) => {
      const loss = optimizer.minimize(
        () => lossFn(ys[i % nData], model.apply(xs[i % nData], { training: true }) as TfCore.Tensor),
        true,
        vars,
      ) as TfCore.Scalar;
      prev?.dispose();
      prev = loss;
      return loss;
    };
  }

  const finish = async (last: TfCore.Scalar | number): Promise<number> =>
    typeof last === 'number' ? last : (await last.data())[0];

  const stepMs: number[] = [];
  const rates: number[] = [];
  try {
    let it = 0;
    let last: TfCore.Scalar | number = 0;
    for (let i = 0; i < warmup; i++) last = await step(it++);
    const warmLoss = await finish(last);
    if (!Number.isFinite(warmLoss)) throw new Error(`TF.js ${backendName}: non-finite loss ${warmLoss}`);
    for (let rep = 0; rep < opts.reps; rep++) {
      const t0 = performance.now();
      for (let s = 0; s < opts.steps; s++) last = await step(it++);
      const loss = await finish(last);
      const ms = performance.now() - t0;
      if (!Number.isFinite(loss)) throw new Error(`TF.js ${backendName}: non-finite loss ${loss}`);
      stepMs.push(ms / opts.steps);
      rates.push((batch * opts.steps) / (ms / 1000));
    }
    if (typeof last !== 'number') last.dispose();
  } finally {
    for (const t of [...xs, ...ys]) t.dispose();
    model.dispose();
    optimizer.dispose();
    if (backendName === 'webgpu') {
      // TF.js's backend dispose() leaves the device alive; dawn-node then keeps a core busy. Destroy it.
      tf.removeBackend('webgpu');
      device?.destroy();
    }
  }
  return { samplesPerSec: median(rates), stepMs, backend: backendName, mode, ...(adapter ? { adapter } : {}) };
}
