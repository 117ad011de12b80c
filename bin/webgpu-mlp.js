#!/usr/bin/env node
// The `webgpu-mlp` command: runs the CLI from the vite build (dist/lib/cli.js), which carries the
// same WGSL strings as the tests and the demo. `npm install` builds it (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/lib/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('webgpu-mlp: dist/lib/cli.js is missing; run `npm run build` (npm install runs it for you).');
  process.exit(1);
}
await import(cli);
