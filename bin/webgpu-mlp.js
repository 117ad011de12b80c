#!/usr/bin/env node
// The `webgpu-mlp` command: runs the CLI from the vite build (dist/lib/cli.js), which carries the
// same WGSL strings as the tests and the demo. `npm install` builds it (the prepare script).
//
// Dawn prints two warnings of its own on every start ("maxDynamic… artificially reduced"), from
// native code straight to file descriptor 2, where no JavaScript can catch them. So the CLI runs
// in a child process whose fd 2 comes back through a pipe that drops exactly those two lines;
// the child's own messages and progress bar go to our real stderr, passed to it as fd 3 (still a
// terminal when ours is one). WEBGPU_MLP_RAW_STDERR=1 runs it in this process, unfiltered.
import { spawn } from 'node:child_process';
import { existsSync, writeSync } from 'node:fs';
import { WriteStream, isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/lib/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('webgpu-mlp: dist/lib/cli.js is missing; run `npm run build` (npm install runs it for you).');
  process.exit(1);
}

const DAWN_NOISE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;

if (process.env.WEBGPU_MLP_STDERR_FD === '3') {
  // The child: JavaScript's stderr is the parent's real one (fd 3).
  // A pipe shared with other processes may be non-blocking: retry a write it cannot take yet.
  const writeAll = (chunk) => {
    const bytes = Buffer.from(chunk);
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(3, bytes, at);
      } catch (err) {
        if (err.code !== 'EAGAIN') throw err;
      }
    }
    return true;
  };
  const stream = isatty(3) ? new WriteStream(3) : Object.assign(Object.create(process.stderr), { write: writeAll, isTTY: false, fd: 3 });
  Object.defineProperty(process, 'stderr', { value: stream, configurable: true, enumerable: true });
  // When the parent dies (even by SIGKILL), so does the child, as one process would.
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.channel?.unref();
  await import(cli);
} else if (process.env.WEBGPU_MLP_RAW_STDERR === '1') {
  await import(cli);
} else {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'pipe', 2, 'ipc'],
    env: { ...process.env, WEBGPU_MLP_STDERR_FD: '3' },
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop();
    for (const line of lines) if (!DAWN_NOISE.test(line)) process.stderr.write(`${line}\n`);
  });
  // A terminal's Ctrl-C reaches both processes; a signal sent to this one alone is passed on
  // (the child takes a second SIGINT within half a second as the same one).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => {
    if (pending && !DAWN_NOISE.test(pending)) process.stderr.write(pending);
    process.exitCode = code ?? 128 + ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGHUP: 1, SIGSEGV: 11, SIGABRT: 6 }[signal] ?? 0);
  });
}
