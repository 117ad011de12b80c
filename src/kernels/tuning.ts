// Per-adapter kernel tuning: which matmul a device gets. GPUs keep registers per invocation and
// want many invocations; CPU adapters that run invocations as SIMD lanes (Mesa's lavapipe) pay per
// lane and per float for every storage or workgroup-memory read in a loop, so their big products
// read operands through textures instead (shaders/matmul_texel.wgsl), 4 floats per fetch, and
// share the fetched rows across a subgroup.

import { adapterText, type AdapterReport } from '../device/adapter.js';

/** Outputs per invocation of a matmul (RM x RN in its shader). */
export interface MatmulTiling {
  rows: number;
  cols: number;
}

/** Lanes per subgroup the texel kernel is written for (LANES in shaders/matmul_texel.wgsl): lavapipe's 256-bit SIMD width. */
export const TEXEL_LANES = 8;

/** When and how products run on shaders/matmul_texel.wgsl instead of shaders/matmul.wgsl. */
export interface TexelMatmulTuning {
  /** Rows per workgroup (shared by its TEXEL_LANES lanes) x columns per lane. */
  tiling: MatmulTiling;
  /** Products smaller than this many multiply-adds keep the buffer kernel: the copies would dominate. */
  minMacs: number;
}

/** A workgroup's output tile in the workgroup-memory kernel (TM x TN in shaders/matmul.wgsl). */
export interface MatmulTile {
  rows: number;
  cols: number;
}

/** The workgroup-memory kernel's default tile; narrowTile may replace it for products with few columns. */
export const MATMUL_TILE: MatmulTile = { rows: 64, cols: 64 };

export interface KernelTuning {
  /** The workgroup-memory kernel's tiling (shaders/matmul.wgsl), used for every product without a texel path. */
  matmul: MatmulTiling;
  /** A smaller tile for products with at most `maxCols` columns (an output layer's 10 classes), so most of a 64-wide tile is not wasted. */
  narrowTile?: MatmulTile & { maxCols: number };
  texelMatmul?: TexelMatmulTuning;
  /**
   * Products of at most this many multiply-adds run on shaders/matmul_small.wgsl (an invocation per
   * output element, no barriers), where barriers cost more than the arithmetic.
   */
  smallMatmulMaxMacs?: number;
}

/** 8 x 4 outputs, 128 invocations per 64 x 64 tile: within any GPU's registers, enough warps to hide latency. */
export const GPU_TUNING: KernelTuning = { matmul: { rows: 8, cols: 4 } };

/**
 * lavapipe: products of at least 2^18 multiply-adds with whole texels take the texel kernel with
 * 24-row x 8-column-per-lane blocks (1024^3: 25-31 GFLOP/s in all four transposes; 16 x 8 is
 * 22-27, and blocks of 40 rows or 24 x 16 outgrow what Mesa unrolls and fall to 5-20). The rest
 * (A's 10-wide products) keep the buffer kernel at 8 x 4 (16 x 16 is faster there but takes 10-20 s
 * per variant to JIT), on a 32 x 16 tile when they have at most 16 columns: 64 x 64 wasted 54 of
 * every 64 columns (X.W3 0.93 -> 0.35 ms). Products of at most 2^12 multiply-adds (workload B's
 * except its 16 x 16 layer) take the barrier-free small kernel, 8 outputs of a row per invocation:
 * in a batch of 64 B-sized models a tiled matmul cost 0.25-0.5 ms per dispatch (4-8 us per model,
 * mostly barriers), the small kernel 0.09-0.27 ms; at 2^13 and 2^14 the batch was no faster.
 * docs/perf.md changes 4, 8-11 and 16.
 */
export const SIMD_CPU_TUNING: KernelTuning = {
  matmul: { rows: 8, cols: 4 },
  smallMatmulMaxMacs: 1 << 12,
  narrowTile: { rows: 32, cols: 16, maxCols: 16 },
  texelMatmul: { tiling: { rows: 24, cols: 8 }, minMacs: 1 << 18 },
};

/** What the texel matmul needs from the adapter besides being llvmpipe. */
type TexelSupport = Pick<AdapterReport, 'subgroupSize' | 'readonlyStorageTextures'>;

export function tuningFor(report: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description'> & TexelSupport): KernelTuning {
  // A lavapipe built for narrower SIMD (or without subgroups or read-only storage textures) keeps the buffer kernel.
  const texelCapable = report.subgroupSize === TEXEL_LANES && report.readonlyStorageTextures;
  return adapterText(report).includes('llvmpipe') && texelCapable ? SIMD_CPU_TUNING : GPU_TUNING;
}

/** Throws a RangeError naming the field if `tuning` is malformed or asks for a kernel this adapter cannot run. */
export function validateTuning({ matmul, narrowTile, texelMatmul }: KernelTuning, { subgroupSize, readonlyStorageTextures }: TexelSupport): void {
  validateTiling('matmul', matmul, [4, 8, 16, 32, 64], 'a multiple of 4 dividing the 64-wide tile');
  if (narrowTile) {
    const { rows, cols, maxCols } = narrowTile;
    // Each invocation owns matmul.rows x matmul.cols; the staging loops need whole vec4s per invocation (TK = 16).
    const threads = (rows / matmul.rows) * (cols / matmul.cols);
    if (![16, 32, 64].includes(rows) || rows % matmul.rows !== 0) throw new RangeError(`narrowTile.rows = ${rows}: expected 16, 32 or 64, a multiple of matmul.rows (${matmul.rows})`);
    if (![16, 32, 64].includes(cols) || cols % matmul.cols !== 0) throw new RangeError(`narrowTile.cols = ${cols}: expected 16, 32 or 64, a multiple of matmul.cols (${matmul.cols})`);
    if ((4 * rows) % threads !== 0 || (4 * cols) % threads !== 0) throw new RangeError(`narrowTile ${rows} x ${cols}: ${threads} invocations cannot stage its tiles in whole vec4s`);
    if (!Number.isInteger(maxCols) || maxCols < 1 || maxCols > cols) throw new RangeError(`narrowTile.maxCols = ${maxCols}: expected an integer from 1 to narrowTile.cols (${cols})`);
  }
  if (!texelMatmul) return;
  if (subgroupSize !== TEXEL_LANES) {
    throw new RangeError(`texelMatmul needs subgroups of exactly ${TEXEL_LANES} lanes; this device's subgroup size is ${subgroupSize ?? 'unknown (no subgroups feature, or a varying size)'}`);
  }
  if (!readonlyStorageTextures) {
    throw new RangeError("texelMatmul needs WGSL's readonly_and_readwrite_storage_textures language feature, which this WebGPU implementation lacks");
  }
  const { rows, cols } = texelMatmul.tiling;
  if (![8, 16, 24, 32].includes(rows)) throw new RangeError(`texelMatmul.tiling.rows = ${rows}: expected 8, 16, 24 or 32 (a multiple of the ${TEXEL_LANES} lanes)`);
  if (![4, 8, 12, 16].includes(cols)) throw new RangeError(`texelMatmul.tiling.cols = ${cols}: expected 4, 8, 12 or 16 (whole texels per lane)`);
  if (!Number.isInteger(texelMatmul.minMacs) || texelMatmul.minMacs < 0) {
    throw new RangeError(`texelMatmul.minMacs = ${texelMatmul.minMacs}: expected a non-negative integer`);
  }
}

function validateTiling(field: string, { rows, cols }: MatmulTiling, allowed: readonly number[], expected: string): void {
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!allowed.includes(v)) throw new RangeError(`${field}.${name} = ${v}: expected ${allowed.join(', ')} (${expected})`);
  }
}
