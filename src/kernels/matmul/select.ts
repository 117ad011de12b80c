// Which matmul a product runs on, decided in one place from the adapter's tuning: on lavapipe the
// barrier-free small kernel for tiny products and the texel kernel for big enough products whose
// operands (every model's copy, in a batch) fit textures, else the workgroup-memory kernel on the tuning's tile (a narrower one for products with few
// columns), with its workgroup grid (z = 1; the context makes it the model count).

import type { OpArgs } from '../../ops/args.js';
import type { GpuTensor } from '../../ops/tensor.js';
import type { KernelContext } from '../context.js';
import { MATMUL_TILE, TEXEL_LANES } from '../tuning.js';
import { bufferMatmul, smallMatmul, SMALL_MATMUL_COLS, SMALL_MATMUL_WG, texelMatmul, type MatmulDescriptor } from './descriptors.js';
import { texelRows } from './texel-operands.js';
import { groups1d } from '../dispatch.js';

const MAX_GROUPS = 65535;

export type MatmulChoice = { descriptor: MatmulDescriptor; workgroups: [number, number, number] } & (
  | { kind: 'buffer' }
  /** Texture rows each operand needs. */
  | { kind: 'texel'; aRows: number; bRows: number }
);

/**
 * The texel kernel's operand rows for this product, if the tuning has a texel path and the product
 * qualifies: big enough, k and each operand's contiguous dimension multiples of 4 (whole, aligned
 * texels along the rows the kernel reads), and each operand within the texture height limit.
 */
function texelRowsFor(ctx: KernelContext, { a, b, transA, transB }: OpArgs<GpuTensor>['matmul'], m: number, k: number, n: number) {
  const tuning = ctx.tuning.texelMatmul;
  if (!tuning || m * n * k < tuning.minMacs) return undefined;
  if (k % 4 !== 0 || (transA && m % 4 !== 0) || (!transB && n % 4 !== 0)) return undefined;
  const maxRows = ctx.device.limits.maxTextureDimension2D;
  const aRows = texelRows(a, maxRows, ctx.models);
  const bRows = texelRows(b, maxRows, ctx.models);
  if (aRows === undefined || bRows === undefined) return undefined;
  return { aRows, bRows };
}

/** The kernel, tiling and workgroup grid for an [m, k] x [k, n] product; throws a RangeError past the grid limit. */
export function selectMatmul(ctx: KernelContext, args: OpArgs<GpuTensor>['matmul'], m: number, k: number, n: number): MatmulChoice {
  const texel = texelRowsFor(ctx, args, m, k, n);
  const small = ctx.tuning.smallMatmulMaxMacs;
  let choice: MatmulChoice;
  if (small !== undefined && m * n * k <= small) {
    choice = { kind: 'buffer', descriptor: smallMatmul(), workgroups: groups1d(m * Math.ceil(n / SMALL_MATMUL_COLS), SMALL_MATMUL_WG) };
  } else if (texel) {
    const tiling = ctx.tuning.texelMatmul!.tiling;
    choice = { kind: 'texel', ...texel, descriptor: texelMatmul(tiling), workgroups: [Math.ceil(n / (TEXEL_LANES * tiling.cols)), Math.ceil(m / tiling.rows), 1] };
  } else {
    const narrow = ctx.tuning.narrowTile;
    const tile = narrow && n <= narrow.maxCols ? narrow : MATMUL_TILE;
    choice = { kind: 'buffer', descriptor: bufferMatmul(ctx.tuning.matmul, tile), workgroups: [Math.ceil(n / tile.cols), Math.ceil(m / tile.rows), 1] };
  }
  const [x, y] = choice.workgroups;
  if (x > MAX_GROUPS || y > MAX_GROUPS) {
    throw new RangeError(`matmul: out [${m}, ${n}] needs ${x} x ${y} workgroups, more than ${MAX_GROUPS} per dimension`);
  }
  return choice;
}
