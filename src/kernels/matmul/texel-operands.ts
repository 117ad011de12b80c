// Matmul operands as textures, for shaders/matmul_texel.wgsl: a tensor's floats laid into an
// rgba32float storage texture (the kernel reads it with read access) in order, 4 per texel and
// TEXELS_PER_ROW texels per row, so texel f holds floats 4f..4f+3. The texture is created once per
// operand at plan time and refreshed from the buffer by copies the texel dispatch records just
// before itself (its `before`): the generic encoder knows nothing of textures. In a model batch a
// per-model operand's texture holds every model's copy, each starting on a fresh texture row.

import type { GpuTensor } from '../../ops/tensor.js';
import { sizeOf } from '../../ops/tensor.js';
import type { KernelContext } from '../context.js';

/** One copyBufferToTexture, fully described at plan time. */
interface TexelCopy {
  readonly source: GPUTexelCopyBufferInfo;
  readonly destination: GPUTexelCopyTextureInfo;
  readonly size: readonly [number, number];
}

/** Texture width in texels; 256 x 16 bytes = 4096-byte rows, a multiple of the 256 bytesPerRow alignment. */
export const TEXELS_PER_ROW = 256;
const ROW_BYTES = TEXELS_PER_ROW * 16;

/** Copies of `t` a batch of `models` holds: one per model, or one every model shares. */
function copiesOf(t: GpuTensor, models: number): number {
  return t.modelStride ? models : 1;
}

/**
 * Texture rows one copy of `t` needs, or undefined if it cannot be a texel operand: a partial
 * texel, an unaligned start (of any model's copy), too many rows for all `models` copies, or a
 * buffer that cannot be copied from.
 */
export function texelRows(t: GpuTensor, maxRows: number, models: number): number | undefined {
  const floats = sizeOf(t.shape);
  if (floats === 0 || floats % 4 !== 0 || t.offset % 16 !== 0 || (t.modelStride ?? 0) % 4 !== 0) return undefined;
  if ((t.buffer.usage & GPUBufferUsage.COPY_SRC) === 0) return undefined;
  const rows = Math.ceil(floats / 4 / TEXELS_PER_ROW);
  return rows * copiesOf(t, models) <= maxRows ? rows : undefined;
}

/**
 * A texture for `t` (every model's copy, `rows` rows each) and the copies (whole rows, then the
 * partial last row, per model) that fill it from t's buffer; `stride` is the texture rows between
 * two models' copies (0: shared), the kernel's rows_a / rows_b.
 */
export function texelOperand(ctx: KernelContext, label: string, t: GpuTensor, rows: number): { view: GPUTextureView; copies: TexelCopy[]; stride: number } {
  const models = copiesOf(t, ctx.models);
  const texture = ctx.own(
    ctx.device.createTexture({
      label,
      size: [TEXELS_PER_ROW, rows * models],
      format: 'rgba32float',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_DST,
    }),
  );
  const texels = sizeOf(t.shape) / 4;
  const fullRows = Math.floor(texels / TEXELS_PER_ROW);
  const rest = texels % TEXELS_PER_ROW;
  const copies: TexelCopy[] = [];
  for (let m = 0; m < models; m++) {
    const offset = t.offset + m * (t.modelStride ?? 0) * 4;
    if (fullRows > 0) {
      copies.push({
        source: { buffer: t.buffer, offset, bytesPerRow: ROW_BYTES, rowsPerImage: fullRows },
        destination: { texture, origin: [0, m * rows] },
        size: [TEXELS_PER_ROW, fullRows],
      });
    }
    if (rest > 0) {
      copies.push({
        source: { buffer: t.buffer, offset: offset + fullRows * ROW_BYTES, bytesPerRow: ROW_BYTES },
        destination: { texture, origin: [0, m * rows + fullRows] },
        size: [rest, 1],
      });
    }
  }
  return { view: texture.createView(), copies, stride: models > 1 ? rows : 0 };
}

/** Records `copies` on the encoder (a dispatch's `before`): every operand refreshed from its buffer. */
export function recordTexelCopies(copies: readonly TexelCopy[]): (encoder: GPUCommandEncoder) => void {
  return (encoder) => {
    for (const c of copies) encoder.copyBufferToTexture(c.source, c.destination, c.size);
  };
}
