// Ctrl-C for the long-running commands (train, sweep): the first SIGINT asks the run to stop after
// its current step, a second one quits at once. bin/webgpu-mlp.js passes on a SIGINT the terminal
// also sent to the child, so a repeat within 500 ms is the same Ctrl-C, not a second.

/** Installs the handler; returns the function that removes it. */
export function onInterrupt(opts: { stopping: string; quitting: string; onFirst: () => void; progress: { stop(): void } }): () => void {
  let firstAt: number | undefined;
  const handler = () => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt < 500) return;
      opts.progress.stop();
      process.stderr.write(`webgpu-mlp: interrupted again; ${opts.quitting}\n`);
      process.exit(130);
    }
    firstAt = performance.now();
    process.stderr.write(`\nwebgpu-mlp: ${opts.stopping} (Ctrl-C again to quit at once)\n`);
    opts.onFirst();
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
