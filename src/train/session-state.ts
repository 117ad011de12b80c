// Checks a training session exported as data (Trainer.exportState; its types are in
// types/session-state.ts) before a session resumes from it: the flat buffers in float64 (exact
// for the CPU backend's float64 and the GPU's f32) and the loop's JSON state. Every length and count is checked against the session being resumed, so
// a checkpoint from another model or another dataset is refused with a message, not misapplied.

import type { SessionState } from '../types/session-state.js';
import { SESSION_STATE_FORMAT } from '../types/session-state.js';
import { InputError } from '../util/errors.js';

export { SESSION_STATE_FORMAT };
export type { LoopState, SessionState } from '../types/session-state.js';

const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function checkSessionState(s: SessionState, total: number, stepsPerEpoch: number, rows: number, earlyStopping: boolean): void {
  const field = 'resume';
  if (typeof s !== 'object' || s === null || s.format !== SESSION_STATE_FORMAT) throw new InputError(field, s, 'a session state from Trainer.exportState() or loadCheckpoint()');
  if (s.version !== 1) throw new InputError(`${field}.version`, s.version, '1 (this release reads version 1 only)');
  for (const name of ['param', 'state1', 'state2', 'best'] as const) {
    const flat = s.flats?.[name];
    if (flat === undefined && name === 'best') continue;
    if (!(flat instanceof Float64Array) || flat.length !== total) {
      throw new InputError(`${field}.flats.${name}`, flat instanceof Float64Array ? `${flat.length} values` : flat, `a Float64Array of ${total} values (this model's parameter buffer)`);
    }
    for (let i = 0; i < flat.length; i++) if (!Number.isFinite(flat[i])) throw new InputError(`${field}.flats.${name}[${i}]`, flat[i], 'a finite number');
  }
  const l = s.loop;
  if (typeof l !== 'object' || l === null) throw new InputError(`${field}.loop`, l, 'the loop state object');
  for (const key of ['step', 'epochs', 'lastCheck', 'rng', 'stepsPerEpoch', 'rows'] as const) {
    if (!isCount(l[key])) throw new InputError(`${field}.loop.${key}`, l[key], 'an integer >= 0');
  }
  if (l.rows !== rows || l.stepsPerEpoch !== stepsPerEpoch) {
    throw new InputError(`${field}.loop.rows`, `${l.rows} training rows in ${l.stepsPerEpoch} steps per epoch`, `${rows} rows in ${stepsPerEpoch} steps, as in this session (same data, split and batch size)`);
  }
  if (!(typeof l.baseLr === 'number' && l.baseLr > 0 && Number.isFinite(l.baseLr))) throw new InputError(`${field}.loop.baseLr`, l.baseLr, 'a finite number > 0');
  const e = l.epoch;
  if (typeof e !== 'object' || e === null || !isCount(e.step) || e.step >= stepsPerEpoch || !isCount(e.rows)) {
    throw new InputError(`${field}.loop.epoch`, e, `the epoch in progress (step < ${stepsPerEpoch})`);
  }
  if (!Array.isArray(l.history) || l.history.length !== l.epochs) throw new InputError(`${field}.loop.history`, l.history, `the logs of ${l.epochs} epochs`);
  if (Boolean(l.stopping) !== earlyStopping) throw new InputError(`${field}.loop.stopping`, l.stopping ?? 'none', earlyStopping ? 'early-stopping state (this session uses early stopping)' : 'none (this session has no early stopping)');
}
