// Per-adapter kernel tuning: which matmul a device gets. GPUs keep registers per invocation and
// want many invocations; CPU adapters that run invocations as SIMD lanes (Mesa's lavapipe) pay per
// lane and per float for every storage or workgroup-memory read in a loop, so their big products
// read operands through textures instead (shaders/matmul_texel.wgsl), 4 floats per fetch.

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
 * lavapipe: products of at least 2^18 multiply-adds with whole texels take the texel kernel,
 * 16 x 16 blocks (1024^3: ~21 GFLOP/s; 32 x 32 reaches 24-28 but takes ~6 s per variant to JIT on
 * a cold shader cache, against 0.7 s), 8 x 8 for a.b^T (12.6 against 9-10 at larger blocks).
 * The rest (A's 10-wide products) keep the buffer kernel at 8 x 4: its 16 x 16 tiling is 0.8 ms
 * per A step faster there, but its unrolled code takes 10-20 s per variant to JIT, which made a
 * first `npm start` 53 s instead of 33 s. docs/perf.md changes 4, 8 and 9.
 */
export const SIMD_CPU_TUNING: KernelTuning = {
  matmul: { rows: 8, cols: 4 },
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
