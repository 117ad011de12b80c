// Letting other events in during a step loop that submits without waiting: Ctrl-C, a UI's pause,
// a worker's messages. How often (at most ~1% of a loop in a browser, where timers take >= 4 ms)
// and how (setImmediate in Node, a 0 ms timer elsewhere).

export const YIELD_MS = 250;

export const yieldToEvents = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
