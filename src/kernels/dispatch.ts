// The record of one compute dispatch, made at plan time, and the encoder that replays a list of
// them into a command encoder each step. The encoder knows nothing about particular kernels: a
// dispatch that needs encoder commands first (the texel matmul's operand copies) brings them.

/** One recorded compute dispatch: everything is created at plan time, nothing per step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Commands to record on the encoder just before the dispatch, outside any compute pass. */
  readonly before?: (encoder: GPUCommandEncoder) => void;
}

/** Workgroup count for `n` items at `perGroup` per workgroup, split over y when x would exceed 65535. */
export function groups1d(n: number, perGroup: number): [number, number, number] {
  const total = Math.max(1, Math.ceil(n / perGroup));
  if (total <= 65535) return [total, 1, 1];
  const y = Math.ceil(total / 65535);
  return [Math.ceil(total / y), y, 1];
}

/**
 * Records dispatches into `encoder`: one compute pass, ended only where a dispatch has encoder
 * commands to record first (those cannot be recorded inside a pass).
 */
export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[]): void {
  let pass: GPUComputePassEncoder | undefined;
  for (const d of dispatches) {
    if (d.before) {
      pass?.end();
      pass = undefined;
      d.before(encoder);
    }
    pass ??= encoder.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass?.end();
}
