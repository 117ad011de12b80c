// The layering of src/: which folders may import which (lower layers never import higher ones),
// and no import cycles. Reads import statements only (test/architecture/imports.ts), so it runs
// without a GPU and fails on the first new upward import or cycle, naming the files. It also
// checks that no layer below train/ calls the training methods train/ installs on Model.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { code, cycles, importGraph, layerOf, SRC } from './imports.js';

/** Each layer and the layers it may import, lowest first (docs/architecture.md describes them). */
const LAYERS: Record<string, readonly string[]> = {
  util: [],
  ops: ['util'],
  types: ['ops'],
  reference: ['ops', 'util'],
  device: [],
  kernels: ['device', 'ops', 'util'],
  graph: ['ops', 'types', 'util'],
  data: ['types', 'util'],
  // Checkpoint files hold the session state, whose plain-data types are in types/.
  io: ['types', 'util'],
  backend: ['device', 'graph', 'kernels', 'ops', 'reference', 'util'],
  model: ['data', 'graph', 'io', 'ops', 'types', 'util'],
  // train/baseline.ts scores the constant prediction with the float64 reference loss on the host.
  train: ['backend', 'data', 'graph', 'model', 'ops', 'reference', 'types', 'util'],
  // ONNX / PyTorch interchange: reads models, writes files.
  export: ['backend', 'data', 'graph', 'io', 'model', 'ops', 'train', 'types', 'util'],
  cli: ['backend', 'data', 'device', 'export', 'graph', 'io', 'model', 'ops', 'train', 'types', 'util'],
  // The package's entry points (src/index.ts, ...) re-export every layer.
  '(root)': ['backend', 'data', 'device', 'export', 'graph', 'io', 'kernels', 'model', 'ops', 'reference', 'train', 'types', 'util'],
};

const graph = importGraph();

describe('src/ layering', () => {
  it('puts every src/ folder in a layer', () => {
    const unknown = [...new Set([...graph.keys()].map(layerOf))].filter((layer) => !(layer in LAYERS));
    expect(unknown, 'add these src/ folders to LAYERS in test/architecture/layers.test.ts').toEqual([]);
  });

  it('has no import from a layer into one it may not import', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !(LAYERS[from] ?? []).includes(to)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward.sort()).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('reads imports in the forms the layering relies on (imports, type-only imports, re-exports)', () => {
    // A few edges known to exist in each form, so a parser that misses one cannot pass vacuously.
    expect(graph.get('index.ts')).toContain('kernels/context.ts'); // export { ... } from
    expect(graph.get('model/spec.ts')).toContain('types/model-spec.ts'); // export type { ... } from
    expect(graph.get('graph/programs.ts')).toContain('types/optimizer-spec.ts'); // import type
    expect(graph.get('backend/gpu-backend.ts')).toEqual(expect.arrayContaining(['device/waits.ts', 'kernels/context.ts', 'graph/program.ts']));
    expect(graph.size).toBeGreaterThan(80);
  });

  it("keeps train/'s methods on Model out of the layers below train/", () => {
    // model.fit / trainer / evaluate / predict are installed by train/model-methods.ts; a layer
    // below train/ that called them would depend on train/ without an import showing it.
    const below = new Set(LAYERS.train);
    const calls = [...graph.keys()]
      .filter((file) => below.has(layerOf(file)))
      .filter((file) => /\bmodel\.(fit|trainer|evaluate|predict)\(/.test(code(readFileSync(join(SRC, file), 'utf8'))));
    expect(calls).toEqual([]);
    expect(graph.get('index.ts')).toContain('train/model-methods.ts');
    expect(graph.get('node.ts')).toContain('train/model-methods.ts');
  });
});
