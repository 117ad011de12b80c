// Which files a built entry (dist/lib/bench.js) loads at run time: follows its static and dynamic
// imports and require() calls with string specifiers through node_modules, the way Node resolves
// them (package "exports" with import/require conditions, then "main"), so the bundle carries
// each package's Node entry and nothing of its browser builds, types, maps or sources.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export interface Trace {
  /** Absolute paths of every file reached, entry included. */
  files: Set<string>;
  /** Absolute package folders reached (each holds a package.json). */
  packages: Set<string>;
  /** Specifiers that did not resolve inside node_modules: optional requires, names in comments. */
  unresolved: { specifier: string; from: string }[];
}

type Kind = 'import' | 'require';

/** A relative path, or an npm name (lower case) with an optional subpath; other strings are not imports. */
const SPECIFIER = /^(\.{1,2}\/|\/|(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/\S*)?$)/;

// String-literal specifiers only; a specifier built at run time must be named as an extra root.
const PATTERNS: [RegExp, Kind][] = [
  [/\brequire\(\s*(['"])([^'"\n]+)\1\s*\)/g, 'require'],
  [/\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g, 'import'],
  [/\bfrom\s*(['"])([^'"\n]+)\1/g, 'import'],
  [/\bimport\s*(['"])([^'"\n]+)\1/g, 'import'],
];

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** CommonJS file lookup: the path, then with an extension, then a folder's index. */
function probe(path: string, kind: Kind): string | null {
  if (isFile(path)) return path;
  if (kind === 'import') return null; // ESM needs the full file name
  for (const ext of ['.js', '.cjs', '.json', '.node']) if (isFile(path + ext)) return path + ext;
  if (isFile(join(path, 'package.json'))) {
    const main = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { main?: string }).main;
    if (main) {
      const found = probe(join(path, main), 'require');
      if (found) return found;
    }
  }
  for (const index of ['index.js', 'index.cjs', 'index.json']) if (isFile(join(path, index))) return join(path, index);
  return null;
}

/** Node's conditional-exports match: the first key (in the package's order) that is one of ours. */
function pickTarget(target: unknown, conditions: string[]): string | null {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = pickTarget(t, conditions);
      if (found) return found;
    }
    return null;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (conditions.includes(key)) {
        const found = pickTarget(value, conditions);
        if (found) return found;
      }
    }
  }
  return null;
}

function resolveExports(exports: unknown, subpath: string, conditions: string[]): string | null {
  const map: Record<string, unknown> =
    typeof exports === 'string' || Array.isArray(exports) || Object.keys(exports as object).every((k) => !k.startsWith('.'))
      ? { '.': exports }
      : (exports as Record<string, unknown>);
  if (subpath in map) return pickTarget(map[subpath], conditions);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const found = pickTarget(value, conditions);
      if (found) return found.replaceAll('*', subpath.slice(prefix.length, subpath.length - suffix.length));
    }
  }
  return null;
}

/** Resolves a bare specifier from `fromDir`, walking up node_modules folders as Node does. */
function resolvePackage(specifier: string, fromDir: string, kind: Kind): { file: string; pkgDir: string } | null {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const subpath = specifier === name ? '.' : `./${specifier.slice(name.length + 1)}`;
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (isFile(join(pkgDir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
      let file: string | null;
      if (pkg.exports !== undefined) {
        const target = resolveExports(pkg.exports, subpath, [kind, 'node', 'default']);
        file = target ? probe(join(pkgDir, target), 'import') : null;
      } else {
        file = probe(join(pkgDir, subpath === '.' ? pkg.main ?? 'index.js' : subpath), 'require');
      }
      return file ? { file, pkgDir } : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The package folder a file lives in (the innermost node_modules/<name>), or null for project files. */
export function packageDirOf(file: string): string | null {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return null;
  const rest = file.slice(at + marker.length).split(sep);
  return file.slice(0, at + marker.length) + (rest[0].startsWith('@') ? join(rest[0], rest[1]) : rest[0]);
}

/** Follows `entries` (files) and `extraPackages` (specifiers loaded by computed names) to every file they load. */
export function traceRuntimeFiles(entries: string[], extraPackages: string[] = []): Trace {
  const trace: Trace = { files: new Set(), packages: new Set(), unresolved: [] };
  const queue: string[] = [];
  const add = (file: string) => {
    if (trace.files.has(file)) return;
    trace.files.add(file);
    const pkg = packageDirOf(file);
    if (pkg) trace.packages.add(pkg);
    queue.push(file);
  };
  const resolveFrom = (specifier: string, from: string, kind: Kind) => {
    if (isBuiltin(specifier) || !SPECIFIER.test(specifier)) return;
    const fromDir = dirname(from);
    const found = /^\.{0,2}\//.test(specifier)
      ? probe(join(fromDir, specifier), kind)
      : resolvePackage(specifier, fromDir, kind)?.file ?? null;
    if (found) add(found);
    else trace.unresolved.push({ specifier, from });
  };
  for (const entry of entries) add(entry);
  for (const specifier of extraPackages) resolveFrom(specifier, entries[0], 'import');
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!/\.(c|m)?js$/.test(file)) continue; // .json and .node files import nothing
    const text = readFileSync(file, 'utf8');
    for (const [pattern, kind] of PATTERNS) {
      for (const match of text.matchAll(pattern)) resolveFrom(match[2], file, kind);
    }
  }
  return trace;
}

/** Native addons (.node) anywhere in a package folder, as paths relative to it. */
export function nativeFilesIn(pkgDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.node')) out.push(relative(pkgDir, path));
    }
  };
  walk(pkgDir);
  return out;
}
