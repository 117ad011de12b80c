// Kernel table for the benchmark: GFLOP/s of the three dense-layer products (X·W, dY·Wᵀ, Xᵀ·dY)
// at square sizes, timed as a batch of dispatches in one submit after a warm-up.

import type { Gpu } from '../src/device/gpu.js';
import { prepareKernel } from '../src/kernels/index.js';
import { KernelContext } from '../src/kernels/context.js';
import { timeDispatch } from './profile.js';

export const PRODUCTS = [
  { name: 'X·W', transA: false, transB: false },
  { name: 'dY·Wᵀ', transA: false, transB: true },
  { name: 'Xᵀ·dY', transA: true, transB: false },
] as const;

export async function matmulGflops(gpu: Gpu, n: number, transA: boolean, transB: boolean, repeats: number): Promise<number> {
  const device = gpu.device;
  const ctx = new KernelContext(gpu);
  // COPY_SRC as the engine's buffers have it, so lavapipe's texel kernel can copy the operands.
  const make = () => device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const [a, b, out] = [make(), make(), make()];
  device.queue.writeBuffer(a, 0, new Float32Array(n * n).fill(0.5));
  device.queue.writeBuffer(b, 0, new Float32Array(n * n).fill(0.25));
  const t = (buffer: GPUBuffer) => ({ buffer, offset: 0, shape: [n, n] });
  try {
    const [dispatch] = await prepareKernel(ctx, 'matmul', { a: t(a), b: t(b), out: t(out), transA, transB });
    const ms = await timeDispatch(device, dispatch, repeats);
    return (2 * n * n * n) / (ms / 1000) / 1e9;
  } finally {
    a.destroy();
    b.destroy();
    out.destroy();
    ctx.destroy();
  }
}
