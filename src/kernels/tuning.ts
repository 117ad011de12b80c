// Per-adapter kernel tuning: which matmul a device gets. GPUs keep registers per invocation and
// want many invocations; CPU adapters that run invocations as SIMD lanes (Mesa's lavapipe) pay per
// lane for every storage or workgroup-memory read and want few invocations doing more each, with
// the big products reading their operands through textures (shaders/matmul_texel.wgsl).

import type { AdapterReport } from '../device/gpu.js';

/** Outputs per invocation of a matmul (RM x RN in its shader); multiples of 4. */
export interface MatmulTiling {
  rows: number;
  cols: number;
}

/** When and how products run on shaders/matmul_texel.wgsl instead of shaders/matmul.wgsl. */
export interface TexelMatmulTuning {
  /** Block per invocation for a.b and a^T.b (and a^T.b^T). */
  tiling: MatmulTiling;
  /** Block per invocation for a.b^T, whose two operands are both read across rows. */
  transposedB: MatmulTiling;
  /** Products smaller than this many multiply-adds keep the buffer kernel: the copies would dominate. */
  minMacs: number;
}

export interface KernelTuning {
  /** The workgroup-memory kernel's tiling (shaders/matmul.wgsl), used for every product without a texel path. */
  matmul: MatmulTiling;
  texelMatmul?: TexelMatmulTuning;
}

/** 8 x 4 outputs, 128 invocations per 64 x 64 tile: within any GPU's registers, enough warps to hide latency. */
export const GPU_TUNING: KernelTuning = { matmul: { rows: 8, cols: 4 } };

/**
 * lavapipe. Buffer kernel: 16 x 16 outputs, 16 invocations per tile, doubling GFLOP/s over 8 x 4
 * (1024^3: 9.3 vs 5.2; docs/perf.md change 4). Texel kernel: 16 x 16 blocks (1024^3: ~21 GFLOP/s);
 * 32 x 32 reaches 24-28 but takes ~6 s per variant to JIT on a cold shader cache against 0.7 s.
 * 8 x 8 for a.b^T (12.6 against 9-10 at larger blocks); docs/perf.md change 8. SwiftShader
 * measured slower with 16 x 16 (536 vs 646 ms), so it keeps GPU_TUNING.
 */
export const SIMD_CPU_TUNING: KernelTuning = {
  matmul: { rows: 16, cols: 16 },
  texelMatmul: { tiling: { rows: 16, cols: 16 }, transposedB: { rows: 8, cols: 8 }, minMacs: 1 << 18 },
};

export function tuningFor(report: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description'>): KernelTuning {
  const text = `${report.vendor} ${report.architecture} ${report.device} ${report.description}`.toLowerCase();
  return text.includes('llvmpipe') ? SIMD_CPU_TUNING : GPU_TUNING;
}

export function validateTuning({ matmul, texelMatmul }: KernelTuning): void {
  validateTiling('matmul', matmul, [4, 8, 16, 32, 64], 'a multiple of 4 dividing the 64-wide tile');
  if (!texelMatmul) return;
  validateTiling('texelMatmul.tiling', texelMatmul.tiling, [4, 8, 16, 32], 'a multiple of 4 up to 32');
  validateTiling('texelMatmul.transposedB', texelMatmul.transposedB, [4, 8, 16, 32], 'a multiple of 4 up to 32');
  if (!Number.isInteger(texelMatmul.minMacs) || texelMatmul.minMacs < 0) {
    throw new RangeError(`texelMatmul.minMacs = ${texelMatmul.minMacs}: expected a non-negative integer`);
  }
}

function validateTiling(field: string, { rows, cols }: MatmulTiling, allowed: readonly number[], expected: string): void {
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!allowed.includes(v)) throw new RangeError(`${field}.${name} = ${v}: expected ${allowed.join(', ')} (${expected})`);
  }
}
