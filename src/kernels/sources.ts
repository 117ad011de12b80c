// The single way WGSL reaches the GPU: every .wgsl file in shaders/ is imported as a string through
// vite's `?raw` (in vitest, the vite build of the CLI, and the demo alike), so there is no second copy.
// Kernels that evaluate activations get shaders/activations.wgsl prepended, after the kernel's own
// directives (`enable subgroups;`), which WGSL wants before any declaration.

import activationsWgsl from '../../shaders/activations.wgsl?raw';

const DIRECTIVE = /^enable [^;]+;$/gm;

/** Prepends the shared activation library to a kernel's source, keeping its directives first. */
export function withActivations(source: string): string {
  const directives = source.match(DIRECTIVE) ?? [];
  return [...directives, activationsWgsl, source.replace(DIRECTIVE, '')].join('\n');
}
