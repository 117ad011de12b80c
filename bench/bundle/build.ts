// `npm run bench:bundle`: one self-contained folder that runs the benchmark on a Linux x86-64
// machine with no node or npm: the running node binary, the built dist/lib files bench.js loads,
// the Node entries of the packages it imports (dawn.node for linux-x64 only), run.sh and
// device-run.sh; then the folder as .tar.xz, which must stay well under 60 MiB (the device
// machine takes 64 MiB of working tree per call). Flags: --out <dir>, --no-compress.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { nativeFilesIn, packageDirOf, traceRuntimeFiles } from './trace.js';

const NAME = 'webgpu-mlp-bench-linux-x64';
/** The compressed bundle must leave room under the device machine's 64 MiB per call. */
const MAX_COMPRESSED = 60 * 2 ** 20;
/** Packages the code loads by a computed name (src/device/gpu.ts imports 'webgpu' that way). */
const COMPUTED_IMPORTS = ['webgpu'];
/** Files beside the entry that it reads at run time (bench/blas-ceiling.ts looks for ./blas.py). */
const DATA_FILES: [from: string, to: string][] = [['bench/blas.py', 'dist/lib/blas.py']];
const SCRIPTS = ['run.sh', 'device-run.sh'];

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function fail(message: string): never {
  process.stderr.write(`bench:bundle: ${message}\n`);
  process.exit(1);
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, statSync(from).mode & 0o777);
}

function folderBytes(dir: string): number {
  let sum = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) sum += statSync(join(entry.parentPath, entry.name)).size;
  }
  return sum;
}

function gitCommit(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-compress': { type: 'boolean' } }, strict: true });
  // The bundle carries this very node binary, so it is only right for the platform it runs on.
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`it packs the running node binary, which is ${process.platform}-${process.arch}; run it on linux-x64`);
  }
  const root = process.cwd();
  const entry = join(root, 'dist/lib/bench.js');
  if (!existsSync(entry)) fail(`${relative(root, entry)} is missing; run it as \`npm run bench:bundle\` (which builds first)`);
  const outDir = resolve(values.out ?? 'dist/bench-bundle');
  const bundle = join(outDir, NAME);

  const trace = traceRuntimeFiles([entry], COMPUTED_IMPORTS);
  const ownMissing = trace.unresolved.filter((u) => !packageDirOf(u.from));
  if (ownMissing.length > 0) {
    fail(`the built project imports what node_modules lacks: ${ownMissing.map((u) => `${u.specifier} (from ${relative(root, u.from)})`).join(', ')}`);
  }
  for (const file of trace.files) {
    if (!file.startsWith(root + sep)) fail(`${file} lies outside the project; cannot place it in the bundle`);
  }

  rmSync(bundle, { recursive: true, force: true });
  mkdirSync(bundle, { recursive: true });
  const place = (file: string) => copy(file, join(bundle, relative(root, file)));
  for (const file of trace.files) place(file);
  const natives: string[] = [];
  for (const pkg of trace.packages) {
    for (const name of readdirSync(pkg)) if (name === 'package.json' || /^(licen[cs]e|notice)/i.test(name)) place(join(pkg, name));
    // Native addons are loaded by computed paths (dist/<platform>-<arch>/dawn.node): keep linux-x64's only.
    const all = nativeFilesIn(pkg);
    const linux = all.filter((f) => f.split(sep).includes('linux-x64') || f.startsWith(join('build', 'Release') + sep));
    if (all.length > 0 && linux.length === 0) fail(`${relative(root, pkg)} has native files (${all.join(', ')}) but none for linux-x64`);
    for (const f of linux) place(join(pkg, f));
    natives.push(...linux.map((f) => relative(root, join(pkg, f))));
  }
  for (const [from, to] of DATA_FILES) copy(join(root, from), join(bundle, to));
  const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  // "type": "module" makes node read dist/lib/*.js as ES modules, as the project's own package.json does.
  writeFileSync(join(bundle, 'package.json'), JSON.stringify({ name: `${project.name}-bench`, version: project.version, private: true, type: 'module' }, null, 2) + '\n');
  copy(process.execPath, join(bundle, 'node'));
  for (const script of SCRIPTS) copy(join(root, 'bench/bundle', script), join(bundle, script));
  const packages = [...trace.packages].map((p) => relative(join(root, 'node_modules'), p)).sort();
  writeFileSync(
    join(bundle, 'BUNDLE.txt'),
    [
      `${project.name} ${project.version} (${gitCommit(root)}) benchmark bundle for linux-x64, built ${new Date().toISOString()}`,
      `node ${process.version} (${process.execPath}), native addons: ${natives.join(', ')}`,
      `packages: ${packages.join(', ')}`,
      'Run ./run.sh [bench flags]  (./run.sh --help lists them); needs libvulkan.so.1 and a Vulkan driver.',
      '',
    ].join('\n'),
  );

  const bytes = folderBytes(bundle);
  console.log(`bundle: ${relative(root, bundle) || bundle} (${mib(bytes)} uncompressed; node ${mib(statSync(join(bundle, 'node')).size)}, ${natives.map((f) => `${basename(f)} ${mib(statSync(join(bundle, f)).size)}`).join(', ')})`);
  console.log(`  packages: ${packages.join(', ')}`);
  const skipped = trace.unresolved.map((u) => `${u.specifier} (in ${relative(root, packageDirOf(u.from)!)})`);
  if (skipped.length > 0) console.log(`  not carried (optional requires or names in comments, never loaded by the bench): ${[...new Set(skipped)].join(', ')}`);
  if (values['no-compress']) return;

  const archive = join(outDir, `${NAME}.tar.xz`);
  rmSync(archive, { force: true });
  // xz, not zstd or gzip: smallest here, and python3's tarfile can unpack it where no xz is installed.
  execFileSync('tar', ['-C', outDir, '-cJf', archive, NAME], { stdio: 'inherit', env: { ...process.env, XZ_OPT: '-6 -T0' } });
  const compressed = statSync(archive).size;
  console.log(`archive: ${relative(root, archive)} (${mib(compressed)} compressed, ${mib(bytes)} unpacked)`);
  if (compressed >= MAX_COMPRESSED) fail(`the archive is ${mib(compressed)}, over the ${mib(MAX_COMPRESSED)} budget`);
}

main();
