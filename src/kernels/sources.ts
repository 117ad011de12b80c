// The single way WGSL reaches the GPU: every .wgsl file in shaders/ is imported as a string through
// vite's `?raw` (in vitest, the vite build of the CLI, and the demo alike), so there is no second copy.
// Kernels that evaluate activations get shaders/activations.wgsl prepended.

import activationsWgsl from '../../shaders/activations.wgsl?raw';

/** Prepends the shared activation library to a kernel's source. */
export function withActivations(source: string): string {
  return `${activationsWgsl}\n${source}`;
}
