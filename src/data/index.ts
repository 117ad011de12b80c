// Browser-safe public surface of the data layer. The Node-only loaders (mnist.ts, csv-file.ts)
// are imported directly by the CLI so bundles for the browser never reach node:fs.

export * from './dataset.js';
export * from './split.js';
export * from './normalize.js';
export * from './synthetic.js';
export * from './idx.js';
export * from './mnist-convert.js';
export * from './csv.js';
export * from './table/index.js';
