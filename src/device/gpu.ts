// One entry that returns a ready WebGPU device in the browser (navigator.gpu) and in Node (the
// `webgpu` package, Dawn's bindings). It keeps the GPU instance referenced for the device's life
// (dawn-node segfaults if the instance is collected), requests only the limits the kernels need,
// and surfaces device loss and uncaptured errors instead of letting them pass silently.

import type { AdapterReport } from './adapter.js';
import { gpuWait } from './waits.js';

export { adapterText, describeAdapter, isCpuAdapter, type AdapterReport } from './adapter.js';

/** No WebGPU adapter could be found; the message says how to get one. */
export class GpuUnavailableError extends Error {
  constructor(reason: string) {
    super(
      `No WebGPU adapter: ${reason}. ` +
        'Install a GPU driver with Vulkan/Metal/D3D12 support, or on Linux without a GPU install Mesa lavapipe ' +
        '(Debian: apt-get install libvulkan1 && apt-get install -t bookworm-backports mesa-vulkan-drivers) and set ' +
        'VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.json. In a browser, use one with WebGPU enabled ' +
        '(Chromium: --enable-unsafe-webgpu).',
    );
    this.name = 'GpuUnavailableError';
  }
}

/** The device was lost or raised an error nobody captured; reported on the next check. */
export class GpuDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuDeviceError';
  }
}

export interface Gpu {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly report: AdapterReport;
  /** Held only so it is not garbage-collected while the device lives (dawn-node crash otherwise). */
  readonly instance: GPU;
  /** Throws the first device loss or uncaptured error seen since the last call, if any. */
  checkHealthy(): void;
  destroy(): void;
}

/** Limits our kernels use; each is requested up to what the adapter allows. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

async function findInstance(): Promise<{ instance: GPU; runtime: 'browser' | 'node' }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { instance: nav.gpu, runtime: 'browser' };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) throw new GpuUnavailableError('this browser does not expose navigator.gpu');
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const name = 'webgpu';
    mod = await import(/* @vite-ignore */ name);
  } catch (err) {
    throw new GpuUnavailableError(`the "webgpu" package could not be loaded (${(err as Error).message})`);
  }
  // dawn-node ships the GPU* constants (GPUBufferUsage, ...) separately; browsers have them global.
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  return { instance: mod.create([]), runtime: 'node' };
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
}

/** Returns a ready device or throws GpuUnavailableError; never hangs waiting for an adapter. */
export async function acquireGpu(options: AcquireOptions = {}): Promise<Gpu> {
  const { instance, runtime } = await findInstance();
  const adapter = await withTimeout(
    gpuWait('quiet', () => instance.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' })),
    20_000,
    'requestAdapter() did not answer within 20 s',
  );
  if (!adapter) throw new GpuUnavailableError('requestAdapter() returned null (no driver exposes a WebGPU adapter)');

  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  // Subgroups let lavapipe's texel matmul share fetched rows between lanes (src/kernels/tuning.ts).
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups'] : [];
  const device = await gpuWait('quiet', () => adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-mlp' }));

  let pendingError: GpuDeviceError | undefined;
  let destroyed = false;
  device.lost.then((info) => {
    if (!destroyed) pendingError ??= new GpuDeviceError(`GPU device lost (${info.reason}): ${info.message}`);
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    pendingError ??= new GpuDeviceError(`GPU error: ${error.message}`);
  });

  const info = adapter.info;
  const report: AdapterReport = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean })?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    runtime,
    subgroupSize: subgroupSizeOf(device, info),
    readonlyStorageTextures: instance.wgslLanguageFeatures?.has('readonly_and_readwrite_storage_textures') ?? false,
  };

  return {
    device,
    adapter,
    report,
    instance,
    checkHealthy() {
      if (pendingError) {
        const error = pendingError;
        pendingError = undefined;
        throw error;
      }
    },
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
}

function subgroupSizeOf(device: GPUDevice, info: GPUAdapterInfo | undefined): number | undefined {
  if (!device.features.has('subgroups')) return undefined;
  const { subgroupMinSize, subgroupMaxSize } = (info ?? {}) as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return subgroupMinSize !== undefined && subgroupMinSize === subgroupMaxSize ? subgroupMinSize : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GpuUnavailableError(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
