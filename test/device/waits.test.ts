// The quiet-polling wrapper around setImmediate: dawn-node's native poll is deferred through
// setTimeout, every other callback keeps setImmediate's behaviour, and a real GPU wait still
// resolves while going through the deferred path (so a dawn-node that stopped using the global
// setImmediate would show up here, not as a silent slowdown). Without the process-wide opt-in the
// wrapper is in place only while one of our waits is pending.

import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gpuWait, installQuietPolling, setWaitStyle } from '../../src/device/waits.js';
import { testGpu } from '../support/gpu.js';

describe('quiet polling', () => {
  afterEach(() => vi.restoreAllMocks());

  // First, before any test opts in to the process-wide wrapper.
  it("replaces setImmediate only while one of our quiet waits is pending, and never for a busy one", async () => {
    const { gpu } = await testGpu();
    const original = globalThis.setImmediate;
    let during: typeof setImmediate | undefined;
    await gpuWait('quiet', () => {
      during = globalThis.setImmediate;
      return gpu.device.queue.onSubmittedWorkDone();
    });
    expect(during).not.toBe(original);
    expect(globalThis.setImmediate).toBe(original);
    await gpuWait('busy', () => {
      during = globalThis.setImmediate;
      return gpu.device.queue.onSubmittedWorkDone();
    });
    expect(during).toBe(original);
    // A failing wait restores it too.
    await expect(gpuWait('quiet', () => Promise.reject(new Error('lost')))).rejects.toThrow('lost');
    expect(globalThis.setImmediate).toBe(original);
  });

  it('defers only anonymous native callbacks, and keeps setImmediate usable for everything else', async () => {
    installQuietPolling();
    installQuietPolling(); // idempotent: a second wrapper would defer twice
    setWaitStyle('quiet');
    const timeout = vi.spyOn(globalThis, 'setTimeout');

    const native = Function.prototype as unknown as () => void; // native, name ''
    setImmediate(native);
    expect(timeout).toHaveBeenCalledWith(native, 1);
    // Busy style: dawn-node's poll is an ordinary immediate again.
    setWaitStyle('busy');
    timeout.mockClear();
    setImmediate(native);
    expect(timeout).not.toHaveBeenCalled();
    setWaitStyle('quiet');

    const seen: unknown[] = [];
    const withArgs = (a: number, b: string) => seen.push(a, b);
    const bound = function (this: { tag: string }) { seen.push(this.tag); }.bind({ tag: 'bound' });
    setImmediate(withArgs, 7, 'x');
    setImmediate(bound);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toEqual([7, 'x', 'bound']);
    // JS and bound callbacks ran as immediates, never through setTimeout.
    const ours: unknown[] = [withArgs, bound];
    expect(timeout.mock.calls.filter(([callback]) => ours.includes(callback))).toEqual([]);
    expect(await promisify(setImmediate)('promisified')).toBe('promisified');
  });

  it("routes dawn-node's polls through the deferred path while a GPU wait is pending, and the wait resolves", async () => {
    const { gpu } = await testGpu();
    setWaitStyle('quiet');
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    // Work that takes several milliseconds, so the wait cannot be settled by a poll scheduled before the spy.
    const buffer = gpu.device.createBuffer({ size: 64 << 20, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    const encoder = gpu.device.createCommandEncoder();
    for (let i = 0; i < 4; i++) encoder.clearBuffer(buffer);
    gpu.device.queue.submit([encoder.finish()]);
    await gpuWait('quiet', () => gpu.device.queue.onSubmittedWorkDone());
    const polls = timeout.mock.calls.filter(([callback, delay]) => delay === 1 && typeof callback === 'function' && callback.name === '');
    expect(polls.length).toBeGreaterThan(0);
    buffer.destroy();
  });
});
