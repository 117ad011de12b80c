// Every device quirk about waiting, in one file behind gpuWait(). While any of dawn-node's promises
// (mapAsync, onSubmittedWorkDone, ...) is pending, it re-queues its event poll with setImmediate,
// so the main thread spins at full speed; on a software adapter (lavapipe) the kernels run on the
// same cores, and that spin took about a third of the machine from the work it waited for.
// gpuWait() defers those polls only while one of our own waits is pending (no process-wide change
// unless a caller opts in with installQuietPolling()), and waitStyleFor() decides when not to.

import { isCpuAdapter, type AdapterReport } from './adapter.js';

/**
 * 'quiet' defers dawn-node's polls (about 1,000 a second rather than a spin); 'busy' lets them spin
 * as dawn-node intends. Busy suits queues of many tiny dispatches on a CPU adapter: there the
 * spinning thread keeps the CPU awake, and each hand-off of a dispatch to lavapipe's threads skips
 * a wake-up from idle (workload B: 0.56 ms per step busy, 0.92 ms quiet). Anything bigger runs
 * faster quiet.
 */
export type WaitStyle = 'quiet' | 'busy';

/** Below this many workgroups per dispatch on average, a step is bound by dispatch hand-offs, not by compute. */
const BUSY_WAIT_WORKGROUPS = 8;

/** How waits after a program of these dispatches (their workgroup counts) should poll on this adapter. */
export function waitStyleFor(report: AdapterReport, workgroups: readonly (readonly [number, number, number])[]): WaitStyle {
  if (!isCpuAdapter(report) || workgroups.length === 0) return 'quiet';
  const total = workgroups.reduce((sum, [x, y, z]) => sum + x * y * z, 0);
  return total / workgroups.length < BUSY_WAIT_WORKGROUPS ? 'busy' : 'quiet';
}

// Kept on globalThis so that every copy of this module in a process (two bundles, say) shares
// one wrapper and one count of pending waits.
const SHARED = Symbol.for('webgpu-mlp.quietPolling');

interface SharedState {
  /** Our pending waits of each style. */
  quiet: number;
  busy: number;
  /** installQuietPolling() was called: defer outside our waits too, per `style`. */
  processWide: boolean;
  style: WaitStyle;
  delayMs: number;
  original?: SetImmediate;
  wrapper?: SetImmediate;
}

type SetImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

function shared(): SharedState {
  const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
  return (g[SHARED] ??= { quiet: 0, busy: 0, processWide: false, style: 'quiet', delayMs: 1 });
}

/** Whether dawn-node's polls are deferred right now: a busy wait of ours always wins. */
function deferring(state: SharedState): boolean {
  if (state.busy > 0) return false;
  return state.quiet > 0 || (state.processWide && state.style === 'quiet');
}

/**
 * Runs `start` (which begins a dawn-node wait) and awaits it with dawn-node's polls deferred
 * ('quiet') or spinning ('busy'). `start` is called after the wrapper is in place, so the wait's
 * first poll is deferred too. The global setImmediate is restored when no wait of ours is left.
 */
export async function gpuWait<T>(style: WaitStyle, start: () => Promise<T>): Promise<T> {
  const state = shared();
  state[style]++;
  if (style === 'quiet') wrap(state);
  try {
    return await start();
  } finally {
    state[style]--;
    if (state.quiet === 0 && state.busy === 0 && !state.processWide) unwrap(state);
  }
}

/**
 * Opt-in: defer dawn-node's polls for every wait in the process, ours or not, per setWaitStyle()
 * (the benchmark does this so TF.js, on the same GPU instance, waits the way we do). Idempotent;
 * does nothing where there is no setImmediate (browsers).
 */
export function installQuietPolling(delayMs = 1): void {
  const state = shared();
  state.delayMs = delayMs;
  if (wrap(state)) state.processWide = true;
}

/** The style of the process-wide wrapper (installQuietPolling); our own waits choose theirs per call. */
export function setWaitStyle(next: WaitStyle): void {
  shared().style = next;
}

/**
 * Puts a wrapper around the global setImmediate that sends dawn-node's poll (an anonymous native
 * function) through setTimeout while deferring; every other callback, bound functions included,
 * is scheduled exactly as before. Returns whether the wrapper is in place.
 */
function wrap(state: SharedState): boolean {
  const g = globalThis as unknown as Record<string, unknown>;
  const current = g.setImmediate as SetImmediate | undefined;
  if (typeof current !== 'function') return false;
  if (state.wrapper && current === state.wrapper) return true;
  const original = current;
  const wrapper = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (deferring(state) && isDawnPoll(callback)) return setTimeout(callback, state.delayMs, ...args);
    return original.call(this, callback, ...args);
  };
  // Keep setImmediate's own properties (util.promisify.custom: timers/promises relies on it).
  Object.defineProperties(wrapper, Object.getOwnPropertyDescriptors(original));
  try {
    g.setImmediate = wrapper;
  } catch {
    return false; // a frozen global (node --frozen-intrinsics): waits keep spinning, nothing breaks
  }
  state.original = original;
  state.wrapper = wrapper;
  return true;
}

/** Restores the setImmediate we wrapped, unless someone has replaced ours since. */
function unwrap(state: SharedState): void {
  const g = globalThis as unknown as Record<string, unknown>;
  if (!state.wrapper || g.setImmediate !== state.wrapper) return;
  try {
    g.setImmediate = state.original;
  } catch {
    return;
  }
  state.wrapper = undefined;
  state.original = undefined;
}

/** dawn-node schedules a native function with an empty name; bound functions are named "bound …". */
function isDawnPoll(callback: unknown): boolean {
  return typeof callback === 'function' && callback.name === '' && Function.prototype.toString.call(callback).includes('[native code]');
}
