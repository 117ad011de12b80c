// Training progress for the terminal: a cli-progress bar per epoch (loss, samples/s) on a TTY,
// one plain line per epoch otherwise. Everything goes to stderr so stdout stays machine-readable.

import cliProgress from 'cli-progress';
import type { EpochLogs, StepLogs } from '../train/options.js';

export interface Progress {
  epochStart(epoch: number, steps: number): void;
  step(logs: StepLogs, stepInEpoch: number, samplesPerSec: number): void;
  epochEnd(logs: EpochLogs, epochs: number): void;
  stop(): void;
}

export function formatEpoch(logs: EpochLogs, epochs: number): string {
  const parts = [`epoch ${logs.epoch + 1}/${epochs}`, `loss ${logs.loss.toFixed(4)}`];
  if (logs.accuracy !== undefined) parts.push(`acc ${(logs.accuracy * 100).toFixed(2)}%`);
  if (logs.valLoss !== undefined) parts.push(`val_loss ${logs.valLoss.toFixed(4)}`);
  if (logs.valAccuracy !== undefined) parts.push(`val_acc ${(logs.valAccuracy * 100).toFixed(2)}%`);
  if (logs.valMse !== undefined) parts.push(`val_mse ${logs.valMse.toPrecision(4)}`);
  parts.push(`${Math.round(logs.samplesPerSec).toLocaleString('en-US')} samples/s`, `${logs.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

export function createProgress(tty: boolean): Progress {
  if (!tty) {
    return {
      epochStart() {},
      step() {},
      epochEnd: (logs, epochs) => process.stderr.write(`${formatEpoch(logs, epochs)}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'epoch {epoch} [{bar}] {value}/{total} steps | loss {loss} | {speed} samples/s', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  let epochLabel = '';
  // The bar hides the cursor; whatever ends the process (an error, a second Ctrl-C) gives it back.
  process.once('exit', () => {
    if (active) bar.stop();
  });
  return {
    epochStart(epoch, steps) {
      epochLabel = String(epoch + 1);
      bar.start(steps, 0, { epoch: epochLabel, loss: '...', speed: '...' });
      active = true;
    },
    step(logs, stepInEpoch, speed) {
      bar.update(stepInEpoch, { epoch: epochLabel, loss: logs.loss.toFixed(4), speed: Math.round(speed).toLocaleString('en-US') });
    },
    epochEnd(logs, epochs) {
      if (active) bar.stop();
      active = false;
      process.stderr.write(`${formatEpoch(logs, epochs)}\n`);
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
