// Browser-safe entry point for the model-file format: safetensors weights, model.json config,
// and the two combined. The Node directory reader/writer lives in model-files.ts and is imported
// directly so browser bundles never pull in node:fs.

export * from './safetensors.js';
export * from './model-config.js';
export * from './model-bundle.js';
