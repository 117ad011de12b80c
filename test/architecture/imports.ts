// Reads the import graph of src/ without running it: every relative import, export-from and
// literal dynamic import of each src/**/*.ts file, resolved to the file it names. Used by the
// layering test (import directions between src/ folders, and no import cycles).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const SRC = resolve(import.meta.dirname, '../../src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

// `from '...'` (imports and re-exports, single or multi-line), `import '...'` and `import('...')`.
const SPECIFIERS = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];

/** Comments removed, so an import quoted in a comment is not read as one. */
export function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** src-relative path (e.g. "graph/programs.ts") -> the src files it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of walk(SRC)) {
    const text = code(readFileSync(file, 'utf8'));
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const [, spec] of text.matchAll(pattern)) {
        if (!spec.startsWith('.')) continue; // packages
        const path = resolve(dirname(file), spec.replace(/\?.*$/, '')).replace(/\.js$/, '.ts');
        if (path.startsWith(SRC)) targets.add(relative(SRC, path));
      }
    }
    graph.set(relative(SRC, file), [...targets].sort());
  }
  return graph;
}

/** The layer of a src file: its top folder, or "(root)" for files directly in src/ (the entry points). */
export function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0] : '(root)';
}

/** Strongly connected components with more than one file (or a file importing itself): the import cycles. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!order.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}
