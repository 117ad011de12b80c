// `npm run bench:bundle` as the GPU machine will use it: the folder is built outside the checkout
// (os.tmpdir()), moved, and run from there with its own node binary; only linux-x64 native files
// travel, and the bench's flags are checked before any GPU work. Needs the vite build in dist/.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';
import { isCpuAdapter } from '../../src/device/gpu.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDER = join(ROOT, 'dist', 'lib', 'bench-bundle.js');
const NAME = 'webgpu-mlp-bench-linux-x64';
const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 110_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('bench flags', () => {
  it('parses the peak in both flag forms and the matmul sizes', () => {
    expect(parseBenchArgs(['--peak-tflops', '67']).peakFlops).toBe(67e12);
    expect(parseBenchArgs(['--peak-tflops=0.5', '--matmul=1024,4096']).matmulSizes).toEqual([1024, 4096]);
    expect(parseBenchArgs([]).peakFlops).toBeUndefined();
    expect([...parseBenchArgs(['--only=B,cpu']).only!]).toEqual(['B', 'cpu']);
  });

  it('names the flag, the value and what was expected', () => {
    expect(() => parseBenchArgs(['--peak-tflops=fast'])).toThrow(/--peak-tflops: got "fast", expected a positive number/);
    expect(() => parseBenchArgs(['--peak-tflops=-1'])).toThrow(/--peak-tflops/);
    expect(() => parseBenchArgs(['--matmul=1024,abc'])).toThrow(/--matmul: got "1024,abc"/);
    expect(() => parseBenchArgs(['--only=D'])).toThrow(/--only: got "D", expected a comma-separated list of A, B, C, cpu, sweep, none/);
    expect(() => parseBenchArgs(['--peak'])).toThrow(/bench flags/);
  });
});

afterAll(releaseTestGpu);

describe('bench bundle', () => {
  let out: string;
  let bundle: string;
  let build: Run;

  beforeAll(async () => {
    if (!existsSync(BUILDER)) throw new Error(`${BUILDER} is missing: run \`npx vite build\` before this test`);
    out = await mkdtemp(join(tmpdir(), 'webgpu-mlp-bundle-'));
    build = await run(process.execPath, [BUILDER, '--no-compress', '--out', join(out, 'built')], ROOT);
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('builds only where the node binary it packs is linux-x64', () => {
    if (LINUX_X64) {
      expect(build.stderr).toBe('');
      expect(build.code).toBe(0);
    } else {
      expect(build.code).toBe(1);
      expect(build.stderr).toMatch(/run it on linux-x64/);
    }
  });

  describe.runIf(LINUX_X64)('on linux-x64', () => {
    beforeAll(async () => {
      // Moved after building: nothing in it may point back at where it was made.
      bundle = join(out, 'moved', NAME);
      await rename(join(out, 'built'), join(out, 'moved'));
    });

    it('carries the node binary, the bench and only linux-x64 native files', () => {
      const files = filesUnder(bundle);
      expect(statSync(join(bundle, 'node')).size).toBe(statSync(process.execPath).size);
      expect(statSync(join(bundle, 'node')).mode & 0o111).not.toBe(0);
      expect(statSync(join(bundle, 'run.sh')).mode & 0o111).not.toBe(0);
      for (const f of ['dist/lib/bench.js', 'dist/lib/blas.py', 'package.json', 'device-run.sh', 'node_modules/webgpu/index.js', 'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', 'node_modules/@tensorflow/tfjs-layers/dist/tf-layers.node.js']) {
        expect(files).toContain(f);
      }
      expect(files.filter((f) => f.endsWith('.node'))).toEqual(['node_modules/webgpu/dist/linux-x64/dawn.node']);
      // No maps, types, browser builds, CLI or unused packages (MNIST data: the bench uses random data).
      expect(files.filter((f) => /\.map$|\.d\.ts$|\.min\.js$|\.esm\.js$|cli\.js$|mnist|zod|papaparse/.test(f))).toEqual([]);
      const bytes = files.reduce((sum, f) => sum + statSync(join(bundle, f)).size, 0);
      expect(bytes).toBeLessThan(statSync(process.execPath).size + 40 * 2 ** 20);
      expect(build.stdout).toMatch(/bundle: .*MiB uncompressed/);
    });

    it('loads TF.js and dawn-node from its own node_modules', async () => {
      const script = "const tf = await import('@tensorflow/tfjs-core'); await import('@tensorflow/tfjs-backend-cpu'); await import('@tensorflow/tfjs-layers'); await import('@tensorflow/tfjs-backend-webgpu'); const w = await import('webgpu'); console.log(tf.version_core, typeof w.create);";
      const r = await run(join(bundle, 'node'), ['--input-type=module', '-e', script], bundle, { PATH: '/usr/bin:/bin' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('4.22.0 function');
    });

    it('rejects a bad flag in one line before touching the GPU', async () => {
      const r = await run(join(bundle, 'run.sh'), ['--matmul=0'], tmpdir(), { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', VK_DRIVER_FILES: '/nonexistent.json' });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe('bench: --matmul: got "0", expected comma-separated integers from 1 to 16384, e.g. 1024,4096');
    });

    it('sees a driver manifest in any standard icd.d folder, even when another of them is missing or empty', async () => {
      const standard = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
      const nvidia = existsSync('/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json');
      // --matmul=0 stops in the bench's flag check, after run.sh's driver lookup and before any GPU work.
      const r = await run(join(bundle, 'run.sh'), ['--matmul=0'], tmpdir(), { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' });
      expect(r.code).toBe(2);
      if (standard) expect(r.stderr).not.toMatch(/^run\.sh: no Vulkan driver/m);
      else if (nvidia) expect(r.stderr).toMatch(/^run\.sh: no Vulkan driver in the standard folders; using \/usr\/local\/nvidia/m);
      else expect(r.stderr).toMatch(/^run\.sh: no Vulkan driver manifest \(icd\.d\/\*\.json\) found/m);
    });

    const env = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', ...(process.env.VK_DRIVER_FILES ? { VK_DRIVER_FILES: process.env.VK_DRIVER_FILES } : {}) };

    it('with --require-gpu, stops on a CPU adapter (device-run.sh passes it so lavapipe cannot stand in for the GPU)', async () => {
      const { gpu } = await testGpu();
      const r = await run(join(bundle, 'run.sh'), ['--require-gpu', '--only=none', '--quick', '--matmul=16'], tmpdir(), env);
      if (isCpuAdapter(gpu.report)) {
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/^bench: --require-gpu: the adapter is .*, a CPU driver, not a GPU/m);
        expect(r.stdout).not.toMatch(/n = 16/);
      } else {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^n = 16 /m);
      }
    });

    it('runs the matmul table through run.sh from outside the checkout', async () => {
      const r = await run(join(bundle, 'run.sh'), ['--only=none', '--quick', '--matmul=32,48', '--peak-tflops=100'], tmpdir(), env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^adapter: \S/m);
      expect(r.stdout).toMatch(/^n = 48 .*%/m);
      const written = readdirSync(join(bundle, 'bench', 'results'));
      expect(written).toHaveLength(1);
      const result = JSON.parse(await readFile(join(bundle, 'bench', 'results', written[0]), 'utf8')) as { peakTflops: number; kernels: { n: number; gflops: Record<string, number>; fractionOfPeak: number }[] };
      expect(result.peakTflops).toBe(100);
      expect(result.kernels.map((k) => k.n)).toEqual([32, 48]);
      for (const k of result.kernels) {
        const values = Object.values(k.gflops);
        expect(values).toHaveLength(3);
        for (const v of values) expect(Number.isFinite(v) && v > 0, `${v}`).toBe(true);
        expect(k.fractionOfPeak).toBeCloseTo(Math.max(...values) / 100e3, 12);
      }
    });
  });
});
