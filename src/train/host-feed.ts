// How a dataset's rows reach the device: resident (uploaded once, gathered by a row order on the
// device) when it fits a binding, otherwise assembled on the host per batch and written with the
// batch's run.

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';

/** Host-side batch assembly for datasets too large to bind on the device. */
export class HostFeeder {
  readonly x: Float32Array;
  readonly y: Float32Array;
  constructor(
    private readonly data: Dataset,
    batch: number,
  ) {
    this.x = new Float32Array(batch * data.features);
    this.y = new Float32Array(batch * data.targetWidth);
  }
  fill(order: ArrayLike<number>, start: number, rows: number): Record<string, Float32Array> {
    const { features: f, targetWidth: t } = this.data;
    for (let r = 0; r < rows; r++) {
      const src = order[start + r];
      this.x.set(this.data.x.subarray(src * f, src * f + f), r * f);
      this.y.set(this.data.y.subarray(src * t, src * t + t), r * t);
    }
    return { 'batch:x': this.x.subarray(0, rows * f), 'batch:y': this.y.subarray(0, rows * t) };
  }
}

/** Rows in their stored order need no copy: the batch is a view of the dataset. */
export function rowRange(data: Dataset, start: number, rows: number): Record<string, Float32Array> {
  const { features: f, targetWidth: t } = data;
  return { 'batch:x': data.x.subarray(start * f, (start + rows) * f), 'batch:y': data.y.subarray(start * t, (start + rows) * t) };
}

export function resident(backend: Backend, data: Dataset): boolean {
  return data.x.byteLength <= backend.maxTensorBytes && data.y.byteLength <= backend.maxTensorBytes;
}

/** Rows 0..rows-1 in order, `copies` times back to back (a row order per model of a batch). */
export function identityOrder(rows: number, copies = 1): Float32Array {
  const order = new Float32Array(rows * copies);
  for (let i = 0; i < order.length; i++) order[i] = i % rows;
  return order;
}
