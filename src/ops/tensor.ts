// Tensor views the op table is written against. An op's arguments are generic in the view type,
// so the same argument object shape drives the GPU kernel (buffers + byte offsets) and the CPU
// reference (float64 arrays), and one shape check serves both.

/** Anything with a shape: what validation needs. */
export interface Shaped {
  readonly shape: readonly number[];
}

/**
 * A region of a GPU buffer holding a row-major f32 tensor. `offset` is in bytes (256-aligned).
 * In a model batch, `modelStride` is the floats between model m's copy and model m+1's (absent
 * or 0: one tensor every model shares, such as the data).
 */
export interface GpuTensor extends Shaped {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly modelStride?: number;
}

/** A row-major float64 tensor; `data.length` equals the shape's product. */
export interface CpuTensor extends Shaped {
  readonly data: Float64Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function cpuTensor(shape: readonly number[], data?: ArrayLike<number>): CpuTensor {
  const n = sizeOf(shape);
  const array = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`cpuTensor: data has ${data.length} values, shape [${shape.join(', ')}] needs ${n}`);
    array.set(data);
  }
  return { shape: [...shape], data: array };
}
