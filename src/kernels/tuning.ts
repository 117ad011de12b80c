// Per-adapter kernel tuning: which matmul register tiling a device gets. GPUs keep registers per
// invocation and want many invocations; CPU adapters that run invocations as SIMD lanes (Mesa's
// lavapipe) are bound by workgroup-memory gathers and want few invocations doing more each.

import type { AdapterReport } from '../device/gpu.js';

/** Outputs per invocation of the matmul (RM x RN in shaders/matmul.wgsl); both multiples of 4 dividing 64. */
export interface MatmulTiling {
  rows: number;
  cols: number;
}

export interface KernelTuning {
  matmul: MatmulTiling;
}

/** 8 x 4 outputs, 128 invocations per 64 x 64 tile: within any GPU's registers, enough warps to hide latency. */
export const GPU_TUNING: KernelTuning = { matmul: { rows: 8, cols: 4 } };

/**
 * 16 x 16 outputs, 16 invocations per tile: on lavapipe this doubles matmul GFLOP/s over 8 x 4
 * (1024^3: 9.3 vs 5.2; docs/perf.md change 4). SwiftShader measured slower with it, so it keeps GPU_TUNING.
 */
export const SIMD_CPU_TUNING: KernelTuning = { matmul: { rows: 16, cols: 16 } };

export function tuningFor(report: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description'>): KernelTuning {
  const text = `${report.vendor} ${report.architecture} ${report.device} ${report.description}`.toLowerCase();
  return text.includes('llvmpipe') ? SIMD_CPU_TUNING : GPU_TUNING;
}

export function validateTiling({ rows, cols }: MatmulTiling): void {
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isInteger(v) || v < 4 || v % 4 !== 0 || 64 % v !== 0) {
      throw new RangeError(`matmul tiling ${name} = ${v}: expected 4, 8, 16, 32 or 64 (a multiple of 4 dividing the 64-wide tile)`);
    }
  }
}
