// Runs the `webgpu-mlp` command as a user does (`node bin/webgpu-mlp.js` over the vite build in
// dist/) for the CLI tests, and reads what it printed.

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'webgpu-mlp.js');
const CLI = join(ROOT, 'dist', 'lib', 'cli.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx vite build\` before the CLI tests`);
}

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  timeout?: number;
}

/** Runs a program to its end and resolves with its exit code (-1 when killed) and output; never rejects. */
export function run(file: string, args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: options.timeout ?? 100_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The built `webgpu-mlp` command, run from the repository root. */
export function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  return run(process.execPath, [BIN, ...args], options);
}

/** The JSON object on the last line of stdout (--json). */
export function lastJson(stdout: string): Record<string, any> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Runs the built command and sends it `signal` once its stderr matches `ready` (Ctrl-C tests). */
export function runAndSignal(args: string[], ready: RegExp, signal: NodeJS.Signals, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && ready.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code, sig) => resolve({ code: code ?? (sig === 'SIGKILL' ? 137 : -1), stdout, stderr }));
  });
}

/** stderr minus the Vulkan loader's and Dawn's known noise. */
export const ours = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('webgpu-mlp'));

export function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code, `exit code; stderr: ${run.stderr}`).not.toBe(0);
  expect(ours(run.stderr), run.stderr).toHaveLength(1);
  expect(ours(run.stderr)[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^ {4}at /m);
}
