// The CLI's three commands. train: dataset -> model -> session (train-run.ts: checkpoints, Ctrl-C,
// resume) -> test metrics -> save unless the run diverged, with a one-line JSON summary last on
// stdout under --json. evaluate and predict load a saved model and read files through its pipeline.

import { writeFileSync } from 'node:fs';
import { releaseSharedGpu, createBackend } from '../backend/select.js';
import { loadCheckpoint, loadModel } from '../model/files.js';
import { Model } from '../train/model-methods.js';
import { NonFiniteLossError, InputError } from '../util/errors.js';
import { loadDatasets } from './datasets.js';
import { constantBaselineLoss } from '../train/baseline.js';
import { parseSchedule, resolveSettings, resumeSettings, specFor, type TrainSettings } from './config.js';
import { createProgress } from './progress.js';
import { imageDefaults, readDataFlags } from './data-flags.js';
import { encodeFileForModel } from './table-data.js';
import { predictionsCsv } from './predictions.js';
import { ExitError, prepareOutputs, runSession, saveAfterNonFinite, saveTrained, type SessionRun } from './train-run.js';

export interface TrainSummary {
  backend: string;
  adapter: string;
  epochs: number;
  trainLoss: number;
  trainAccuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  testAccuracy?: number;
  testLoss?: number;
  testMse?: number;
  testMae?: number;
  /** CSV data: the inferred columns and missing-value counts. */
  data?: Record<string, unknown>;
  samplesPerSec: number;
  seconds: number;
  /** Only on a run refused as diverged or no better than a constant ("saved": false). */
  outcome?: string;
  saved?: boolean;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
/** Data warnings (imputed cells, unseen categories) go to stderr, so predictions on stdout stay clean. */
const warn = (line: string) => process.stderr.write(`webgpu-mlp: ${line}\n`);

export async function trainCommand(raw: Record<string, unknown>, json: boolean): Promise<TrainSummary> {
  const resumed = raw.resume !== undefined ? await loadCheckpoint(String(raw.resume)) : undefined;
  // A resumed run takes its checkpoint's settings (all of them, data flags included).
  if (resumed) raw = resumeSettings(resumed.meta.settings, raw);
  const s: TrainSettings = resolveSettings(raw);
  if (resumed && s.epochs <= resumed.state.loop.epochs) throw new InputError('--epochs', s.epochs, `more than the ${resumed.state.loop.epochs} epochs the checkpoint has already trained`);
  const outputs = await prepareOutputs(s);
  const { train, test, images, info } = loadDatasets({ dataset: s.dataset, label: s.label, seed: s.seed, samples: s.samples, noise: s.noise, limit: s.limit, raw });
  const recipe = imageDefaults(raw, s, Boolean(images));
  const model = resumed?.model ?? new Model(specFor(s, train), { seed: s.seed });
  const backend = await createBackend(s.backend);
  const progress = createProgress(Boolean(process.stderr.isTTY) && !json);
  const stepsPerEpoch = Math.ceil((train.rows * (1 - s.validationSplit)) / s.batchSize);
  const started = performance.now();
  let epochStarted = performance.now();
  let stepInEpoch = 0;
  out(`webgpu-mlp: ${s.dataset} (${train.rows} train rows, ${train.features} features, ${train.task}) on ${backend.kind === 'cpu' ? 'CPU' : 'WebGPU'}: ${backend.adapter}`);
  for (const line of info?.lines ?? []) out(line);
  out(`model: ${[model.spec.inputSize, ...model.spec.hidden.map((h) => `${h.units}${h.activation === 'relu' ? '' : `(${h.activation})`}`), model.spec.outputSize].join('-')}, ${model.spec.loss}, ${s.optimizer} lr ${s.lr}${recipe.schedule === 'constant' ? '' : ` (${recipe.schedule})`}, batch ${s.batchSize}${recipe.normalize === 'none' ? '' : `, ${recipe.normalize} inputs`}`);
  if (resumed) out(`resuming ${s.resume} at epoch ${resumed.state.loop.epochs}${resumed.state.loop.epoch.step > 0 ? ` (+${resumed.state.loop.epoch.step} steps)` : ''}, step ${resumed.state.loop.step}, to ${s.epochs} epochs`);
  let session: SessionRun | undefined;
  try {
    const compiling = performance.now();
    if (backend.kind === 'webgpu') process.stderr.write('compiling kernels (the first run on a machine can take a minute; later runs reuse the driver\'s cache)...\n');
    try {
      session = await runSession(model, train, s, {
        backend,
        epochs: s.epochs,
        batchSize: s.batchSize,
        optimizer: { name: s.optimizer, lr: s.lr, weightDecay: s.weightDecay },
        schedule: parseSchedule(recipe.schedule),
        clipNorm: s.clipNorm,
        seed: s.seed,
        validationSplit: s.validationSplit,
        normalize: recipe.normalize,
        logEverySteps: Math.max(1, Math.floor(stepsPerEpoch / 20)),
        ...(s.patience !== undefined ? { earlyStopping: { patience: s.patience, restoreBestWeights: true } } : {}),
        callbacks: {
          onStep(logs) {
            if (stepInEpoch === 0) {
              progress.epochStart(logs.epoch, stepsPerEpoch);
              epochStarted = performance.now();
            }
            stepInEpoch = logs.step - logs.epoch * stepsPerEpoch;
            progress.step(logs, stepInEpoch, (stepInEpoch * s.batchSize) / ((performance.now() - epochStarted) / 1000));
          },
          onEpochEnd(logs) {
            if (backend.kind === 'webgpu' && (logs.epoch === 0 || (resumed && logs.epoch === resumed.state.loop.epochs))) process.stderr.write(`kernels compiled and first epoch done in ${((performance.now() - compiling) / 1000).toFixed(1)} s\n`);
            stepInEpoch = 0;
            progress.epochEnd(logs, s.epochs);
          },
        },
      }, { ...outputs, settings: raw }, progress, resumed?.state);
    } catch (err) {
      progress.stop();
      if (err instanceof NonFiniteLossError) await saveAfterNonFinite(model, s, outputs, Number(model.training?.epochsCompleted ?? 0));
      throw err;
    }
    if (session.interrupted) throw new ExitError('interrupted', 130);
    const result = session.result!;
    const last = result.history[result.history.length - 1];
    const summary: TrainSummary = {
      backend: backend.kind,
      adapter: backend.adapter,
      epochs: result.history.length,
      trainLoss: last.loss,
      ...(last.accuracy !== undefined ? { trainAccuracy: last.accuracy } : {}),
      ...(last.valLoss !== undefined ? { valLoss: last.valLoss } : {}),
      ...(last.valAccuracy !== undefined ? { valAccuracy: last.valAccuracy } : {}),
      samplesPerSec: result.samplesPerSec,
      seconds: (performance.now() - started) / 1000,
      ...(info ? { data: info.json } : {}),
    };
    const scored = test ?? train;
    const ev = await session.trainer.evaluate(scored);
    if (test) {
      summary.testLoss = ev.loss;
      if (ev.accuracy !== undefined) summary.testAccuracy = ev.accuracy;
      if (ev.mse !== undefined) summary.testMse = ev.mse;
      if (ev.mae !== undefined) summary.testMae = ev.mae;
      out(`test: loss ${ev.loss.toFixed(4)}${ev.accuracy !== undefined ? `  accuracy ${(ev.accuracy * 100).toFixed(2)}%` : ''}${ev.mse !== undefined ? `  mse ${ev.mse.toPrecision(4)}  mae ${ev.mae!.toPrecision(4)}` : ''} (${test.rows} rows)`);
    }
    out(`trained ${summary.epochs} epochs in ${summary.seconds.toFixed(1)} s, ${Math.round(summary.samplesPerSec).toLocaleString('en-US')} samples/s`);
    model.training = { ...model.training, ...(test ? { test: { ...ev } } : {}), adapter: backend.adapter, seed: s.seed, dataset: s.dataset };
    try {
      await saveTrained(model, s, outputs, { loss: ev.loss, baseline: constantBaselineLoss(model, train, scored), on: test ? 'test' : 'training' });
    } catch (err) {
      // A script reading --json still gets the run's numbers, marked as not saved.
      if (json && err instanceof ExitError) out(JSON.stringify({ ...summary, outcome: model.training?.outcome, saved: false }));
      throw err;
    }
    if (json) out(JSON.stringify(summary));
    return summary;
  } finally {
    await session?.trainer.dispose();
    backend.destroy();
    await releaseSharedGpu();
  }
}

export async function evaluateCommand(raw: Record<string, unknown>, json: boolean): Promise<void> {
  if (!raw.model) throw new InputError('--model', undefined, 'the directory of a saved model');
  const samples = raw.samples !== undefined ? Number(raw.samples) : undefined;
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 4)) throw new InputError('--samples', raw.samples, 'an integer >= 4');
  const noise = raw.noise !== undefined ? Number(raw.noise) : undefined;
  if (noise !== undefined && !(Number.isFinite(noise) && noise >= 0)) throw new InputError('--noise', raw.noise, 'a number >= 0');
  const model = await loadModel(String(raw.model));
  const seed = raw.seed !== undefined ? Number(raw.seed) : 0;
  const dataset = String(raw.dataset ?? 'mnist');
  const flags = readDataFlags(raw);
  // A file is scored whole, through the model's own pipeline; named datasets on their test split.
  let data;
  if (dataset.toLowerCase().endsWith('.csv')) data = encodeFileForModel(model, dataset, { label: raw.label as string | undefined, withLabel: true, flags, warn });
  else {
    const { train, test } = loadDatasets({ dataset, label: raw.label as string | undefined, seed, samples, noise, limit: raw.limit ? Number(raw.limit) : undefined });
    data = test ?? train;
  }
  const backend = await createBackend((raw.backend as 'webgpu' | 'cpu') ?? 'webgpu');
  try {
    const ev = await model.evaluate(data, { backend });
    out(`evaluate ${raw.model} on ${raw.dataset ?? 'mnist'} (${data.rows} rows): loss ${ev.loss.toFixed(4)}${ev.accuracy !== undefined ? `  accuracy ${(ev.accuracy * 100).toFixed(2)}%` : ''}${ev.mse !== undefined ? `  mse ${ev.mse.toPrecision(4)}  mae ${ev.mae!.toPrecision(4)}` : ''}`);
    if (json) out(JSON.stringify({ backend: backend.kind, adapter: backend.adapter, ...ev }));
  } finally {
    backend.destroy();
    await releaseSharedGpu();
  }
}

export async function predictCommand(raw: Record<string, unknown>): Promise<void> {
  if (!raw.model) throw new InputError('--model', undefined, 'the directory of a saved model');
  if (!raw.input) throw new InputError('--input', undefined, 'a CSV file of feature columns');
  const flags = readDataFlags(raw);
  const model = await loadModel(String(raw.model));
  // Columns by name (the label column, if there, is ignored); all checks before any GPU work.
  const data = encodeFileForModel(model, String(raw.input), { label: raw.label as string | undefined, withLabel: false, flags, warn });
  const backend = await createBackend((raw.backend as 'webgpu' | 'cpu') ?? 'webgpu');
  try {
    const y = await model.predict(data.x, { backend });
    const text = predictionsCsv(model, y, flags.probabilities);
    if (raw.output) writeFileSync(String(raw.output), text);
    else process.stdout.write(text);
  } finally {
    backend.destroy();
    await releaseSharedGpu();
  }
}
