// Runs once before the suite: acquires a WebGPU adapter and prints it, so every test log names
// the adapter its GPU results came from. Without one it fails the run (no silent skipping).

import { acquireGpu, describeAdapter } from '../../src/device/gpu.js';

export default async function setup(): Promise<void> {
  const gpu = await acquireGpu();
  console.log(`[webgpu-mlp] GPU tests run on: ${describeAdapter(gpu.report)} (${gpu.report.runtime}${process.env.VK_DRIVER_FILES ? `, VK_DRIVER_FILES=${process.env.VK_DRIVER_FILES}` : ''})`);
  gpu.destroy();
}
