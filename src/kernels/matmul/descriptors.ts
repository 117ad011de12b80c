// The two matmul kernels' descriptors: the workgroup-memory kernel (shaders/matmul.wgsl, operands
// in storage buffers) and lavapipe's texel kernel (shaders/matmul_texel.wgsl, operands in storage
// textures). Both share the epilogue's overrides, uniform and bindings; their per-invocation block
// (RM x RN) and tile are consts, since they size arrays, so there is one descriptor per tiling.
// The epilogue's activation is the override ACT, or ACT_PER_MODEL when a model batch reads each
// model's id and alpha from the table binding `act`.

import matmulEpilogueWgsl from '../../../shaders/matmul_epilogue.wgsl?raw';
import matmulSmallWgsl from '../../../shaders/matmul_small.wgsl?raw';
import matmulTexelWgsl from '../../../shaders/matmul_texel.wgsl?raw';
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import { ACTIVATION_LIBRARY } from '../activations.js';
import { bool, defineKernel, u32, u32Override, type Access } from '../descriptor.js';
import { TEXEL_LANES, type MatmulTile, type MatmulTiling } from '../tuning.js';
import { TEXELS_PER_ROW } from './texel-operands.js';

/** ACT's value when the activation differs per model of a batch: above every activation id. */
export const ACT_PER_MODEL = 255;

/** The descriptor both kernels share, with the operands' binding kind and the kernel's own parts. */
function matmulKernel<const A extends Access>(name: string, body: string, operands: A, constants: Record<string, number>, enables: readonly string[] = []) {
  return defineKernel({
    name,
    body,
    enables,
    libraries: [ACTIVATION_LIBRARY, { source: matmulEpilogueWgsl }],
    // rows_a / rows_b: texture rows between two models' copies of a texel operand (0: shared; the buffer kernel ignores them).
    uniform: { m: 'u32', n: 'u32', k: 'u32', alpha: 'f32', rows_a: 'u32', rows_b: 'u32' },
    bindings: { a: operands, b: operands, bias: 'read', z: 'read', out: 'read_write', pre: 'read_write', act: 'read' },
    overrides: { TRANS_A: bool(false), TRANS_B: bool(false), HAS_BIAS: bool(false), ACT: u32Override(0), GRAD_OF: bool(false), WRITE_PRE: bool(false), ACCUMULATE: bool(false) },
    constants: Object.fromEntries(Object.entries({ ...constants, ACT_PER_MODEL }).map(([k, v]) => [k, u32(v)])),
  });
}

export type MatmulDescriptor = ReturnType<typeof matmulKernel<Access>>;

// One descriptor per tiling, so each tiling's generated source (and pipeline) is made once.
const made = new Map<string, MatmulDescriptor>();

function memo(key: string, make: () => MatmulDescriptor): MatmulDescriptor {
  let d = made.get(key);
  if (!d) {
    d = make();
    made.set(key, d);
  }
  return d;
}

/** The workgroup-memory kernel with a `tile` per workgroup and `tiling` outputs per invocation. */
export function bufferMatmul(tiling: MatmulTiling, tile: MatmulTile): MatmulDescriptor {
  return memo(`matmul.${tiling.rows}x${tiling.cols}.${tile.rows}x${tile.cols}`, () =>
    matmulKernel('matmul', matmulWgsl, 'read', { TM: tile.rows, TN: tile.cols, RM: tiling.rows, RN: tiling.cols }),
  );
}

/** Invocations per workgroup of the small-product kernel, and the outputs of a row each one computes. */
export const SMALL_MATMUL_WG = 64;
export const SMALL_MATMUL_COLS = 8;

/** The small-product kernel: an invocation per SMALL_MATMUL_COLS outputs of a row, no workgroup memory or barriers. */
export function smallMatmul(): MatmulDescriptor {
  return memo('matmul_small', () => matmulKernel('matmul_small', matmulSmallWgsl, 'read', { WG: SMALL_MATMUL_WG, SMALL_COLS: SMALL_MATMUL_COLS }));
}

/** The texel kernel with `tiling` rows per workgroup x columns per lane. */
export function texelMatmul(tiling: MatmulTiling): MatmulDescriptor {
  return memo(`matmul_texel.${tiling.rows}x${tiling.cols}`, () =>
    matmulKernel('matmul_texel', matmulTexelWgsl, 'texture_read', { TEXELS_PER_ROW, LANES: TEXEL_LANES, RM: tiling.rows, RN: tiling.cols }, ['subgroups']),
  );
}
