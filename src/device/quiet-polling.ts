// Waiting for the GPU in Node without a busy loop. While any of its promises (mapAsync,
// onSubmittedWorkDone, ...) is pending, dawn-node re-queues its event poll with setImmediate, so
// the main thread spins at full speed. On a software adapter (lavapipe) the kernels run on the
// same CPU cores, and that spin took about a third of the machine from the work it waited for.

// Kept on globalThis so that every copy of this module in a process (two bundles, say) shares
// one wrapper and one style.
const SHARED = Symbol.for('webgpu-mlp.quietPolling');

/**
 * 'quiet' (the default) defers dawn-node's polls; 'busy' lets them spin as dawn-node intends. Busy
 * suits queues of many tiny dispatches on a CPU adapter: there the spinning thread keeps the CPU
 * awake, and each hand-off of a dispatch to lavapipe's threads skips a wake-up from idle (workload
 * B: 0.56 ms per step busy, 0.92 ms quiet). Anything bigger runs faster quiet.
 */
export type WaitStyle = 'quiet' | 'busy';

interface SharedState {
  style: WaitStyle;
  installed: boolean;
}

function shared(): SharedState {
  const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
  return (g[SHARED] ??= { style: 'quiet', installed: false });
}

/** Sets how waits poll from now on (GpuBackend picks per program; see WaitStyle). */
export function setWaitStyle(next: WaitStyle): void {
  shared().style = next;
}

export function currentWaitStyle(): WaitStyle {
  return shared().style;
}

type SetImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

/**
 * Wraps the global setImmediate so that dawn-node's poll (an anonymous native function) runs after
 * `delayMs` via setTimeout instead: about 1,000 polls a second rather than a spin, at the cost of up
 * to `delayMs` more latency per wait. Every other callback, bound functions included, is scheduled
 * exactly as before. Idempotent; does nothing where there is no setImmediate (browsers).
 */
export function installQuietPolling(delayMs = 1): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const original = g.setImmediate as SetImmediate | undefined;
  const state = shared();
  if (typeof original !== 'function' || state.installed) return;
  const quiet = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (state.style === 'quiet' && isDawnPoll(callback)) return setTimeout(callback, delayMs, ...args);
    return original.call(this, callback, ...args);
  };
  // Keep setImmediate's own properties (util.promisify.custom: timers/promises relies on it).
  Object.defineProperties(quiet, Object.getOwnPropertyDescriptors(original));
  try {
    g.setImmediate = quiet;
  } catch {
    return; // a frozen global (node --frozen-intrinsics): waits keep spinning, nothing breaks
  }
  state.installed = true;
}

/** dawn-node schedules a native function with an empty name; bound functions are named "bound …". */
function isDawnPoll(callback: unknown): boolean {
  return typeof callback === 'function' && callback.name === '' && Function.prototype.toString.call(callback).includes('[native code]');
}
