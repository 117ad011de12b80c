// Waiting for the GPU in Node without a busy loop. While any of its promises (mapAsync,
// onSubmittedWorkDone, ...) is pending, dawn-node re-queues its event poll with setImmediate, so
// the main thread spins at full speed. On a software adapter (lavapipe) the kernels run on the
// same CPU cores, and that spin took about a third of the machine from the work it waited for.

const INSTALLED = Symbol.for('webgpu-mlp.quietPolling');

type SetImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

/**
 * Wraps the global setImmediate so that dawn-node's poll (an anonymous native function) runs after
 * `delayMs` via setTimeout instead: about 1,000 polls a second rather than a spin, at the cost of up
 * to `delayMs` more latency per wait. Every other callback, bound functions included, is scheduled
 * exactly as before. Idempotent; does nothing where there is no setImmediate (browsers).
 */
export function installQuietPolling(delayMs = 1): void {
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  const original = g.setImmediate as SetImmediate | undefined;
  if (typeof original !== 'function' || g[INSTALLED]) return;
  const quiet = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (isDawnPoll(callback)) return setTimeout(callback, delayMs, ...args);
    return original.call(this, callback, ...args);
  };
  // Keep setImmediate's own properties (util.promisify.custom: timers/promises relies on it).
  Object.defineProperties(quiet, Object.getOwnPropertyDescriptors(original));
  g.setImmediate = quiet;
  g[INSTALLED] = true;
}

/** dawn-node schedules a native function with an empty name; bound functions are named "bound …". */
function isDawnPoll(callback: unknown): boolean {
  return typeof callback === 'function' && callback.name === '' && Function.prototype.toString.call(callback).includes('[native code]');
}
