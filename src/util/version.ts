// The library's name and version, written into every saved model and checkpoint so a file says
// which release produced it. Kept equal to package.json's version by test/io/model-record.test.ts.

export const LIBRARY_NAME = 'webgpu-mlp';
export const LIBRARY_VERSION = '0.1.0';
