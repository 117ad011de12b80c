// The CLI's three commands. train: dataset -> model -> fit -> test metrics -> optional save, with
// a one-line JSON summary last on stdout under --json. evaluate and predict load a saved model.

import { readFileSync, writeFileSync } from 'node:fs';
import { releaseSharedGpu, createBackend } from '../backend/select.js';
import { parseCsv } from '../data/csv.js';
import { saveModel, loadModel } from '../model/files.js';
import { Model } from '../model/model.js';
import { NonFiniteLossError, InputError } from '../util/errors.js';
import { loadDatasets } from './datasets.js';
import { parseSchedule, resolveSettings, specFor, type TrainSettings } from './config.js';
import { createProgress } from './progress.js';

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
  samplesPerSec: number;
  seconds: number;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export async function trainCommand(raw: Record<string, unknown>, json: boolean): Promise<TrainSummary> {
  const s: TrainSettings = resolveSettings(raw);
  const { train, test } = loadDatasets({ dataset: s.dataset, label: s.label, seed: s.seed, samples: s.samples, noise: s.noise, limit: s.limit });
  const model = new Model(specFor(s, train), { seed: s.seed });
  const backend = await createBackend(s.backend);
  const progress = createProgress(Boolean(process.stderr.isTTY) && !json);
  const stepsPerEpoch = Math.ceil((train.rows * (1 - s.validationSplit)) / s.batchSize);
  const started = performance.now();
  let epochStarted = performance.now();
  let stepInEpoch = 0;
  out(`webgpu-mlp: ${s.dataset} (${train.rows} train rows, ${train.features} features, ${train.task}) on ${backend.kind === 'cpu' ? 'CPU' : 'WebGPU'}: ${backend.adapter}`);
  out(`model: ${[model.spec.inputSize, ...model.spec.hidden.map((h) => `${h.units}${h.activation === 'relu' ? '' : `(${h.activation})`}`), model.spec.outputSize].join('-')}, ${model.spec.loss}, ${s.optimizer} lr ${s.lr}, batch ${s.batchSize}`);
  try {
    let result;
    try {
      result = await model.fit(train, {
        backend,
        epochs: s.epochs,
        batchSize: s.batchSize,
        optimizer: { name: s.optimizer, lr: s.lr, weightDecay: s.weightDecay },
        schedule: parseSchedule(s.schedule),
        clipNorm: s.clipNorm,
        seed: s.seed,
        validationSplit: s.validationSplit,
        normalize: s.normalize,
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
            stepInEpoch = 0;
            progress.epochEnd(logs, s.epochs);
          },
        },
      });
    } catch (err) {
      progress.stop();
      if (err instanceof NonFiniteLossError && s.out) {
        await saveModel(model, s.out);
        process.stderr.write(`webgpu-mlp: saved the last finite weights to ${s.out}\n`);
      }
      throw err;
    }
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
    };
    if (test) {
      const ev = await model.evaluate(test, { backend });
      summary.testLoss = ev.loss;
      if (ev.accuracy !== undefined) summary.testAccuracy = ev.accuracy;
      if (ev.mse !== undefined) summary.testMse = ev.mse;
      out(`test: loss ${ev.loss.toFixed(4)}${ev.accuracy !== undefined ? `  accuracy ${(ev.accuracy * 100).toFixed(2)}%` : ''}${ev.mse !== undefined ? `  mse ${ev.mse.toPrecision(4)}  mae ${ev.mae!.toPrecision(4)}` : ''} (${test.rows} rows)`);
    }
    out(`trained ${summary.epochs} epochs in ${summary.seconds.toFixed(1)} s, ${Math.round(summary.samplesPerSec).toLocaleString('en-US')} samples/s`);
    if (s.out) {
      await saveModel(model, s.out);
      out(`saved model to ${s.out}`);
    }
    if (json) out(JSON.stringify(summary));
    return summary;
  } finally {
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
  const { train, test } = loadDatasets({ dataset: String(raw.dataset ?? 'mnist'), label: raw.label as string | undefined, seed, samples, noise, limit: raw.limit ? Number(raw.limit) : undefined });
  const data = test ?? train;
  const backend = await createBackend((raw.backend as 'webgpu' | 'cpu') ?? 'webgpu');
  try {
    const ev = await model.evaluate(data, { backend });
    out(`evaluate ${raw.model} on ${raw.dataset ?? 'mnist'} (${data.rows} rows): loss ${ev.loss.toFixed(4)}${ev.accuracy !== undefined ? `  accuracy ${(ev.accuracy * 100).toFixed(2)}%` : ''}${ev.mse !== undefined ? `  mse ${ev.mse.toPrecision(4)}` : ''}`);
    if (json) out(JSON.stringify({ backend: backend.kind, adapter: backend.adapter, ...ev }));
  } finally {
    backend.destroy();
    await releaseSharedGpu();
  }
}

export async function predictCommand(raw: Record<string, unknown>): Promise<void> {
  if (!raw.model) throw new InputError('--model', undefined, 'the directory of a saved model');
  if (!raw.input) throw new InputError('--input', undefined, 'a CSV file of feature columns');
  const model = await loadModel(String(raw.model));
  const text = readFileSync(String(raw.input), 'utf8');
  // Reuse the CSV reader: a dummy label column keeps its checks (numbers, ragged rows) in one place.
  const header = text.split(/\r?\n/, 1)[0];
  const withLabel = text.split(/\r?\n/).map((line, i) => (line.trim() === '' ? line : i === 0 ? `${line},__label` : `${line},0`)).join('\n');
  const data = parseCsv(withLabel, { label: '__label', task: 'regression' });
  if (data.features !== model.spec.inputSize) throw new InputError('--input columns', data.features, `${model.spec.inputSize} feature columns (${header.slice(0, 60)})`);
  const backend = await createBackend((raw.backend as 'webgpu' | 'cpu') ?? 'webgpu');
  try {
    const y = await model.predict(data.x, { backend });
    const width = model.spec.outputSize;
    const cols = model.spec.task === 'multiclass' ? Array.from({ length: width }, (_, c) => `p${c}`).concat('class') : model.spec.task === 'binary' ? ['p1', 'class'] : Array.from({ length: width }, (_, c) => `y${c}`);
    const lines = [cols.join(',')];
    for (let r = 0; r < data.rows; r++) {
      const row = Array.from(y.subarray(r * width, r * width + width));
      if (model.spec.task === 'multiclass') row.push(row.indexOf(Math.max(...row)));
      if (model.spec.task === 'binary') row.push(row[0] > 0.5 ? 1 : 0);
      lines.push(row.map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(6))).join(','));
    }
    const text = lines.join('\n') + '\n';
    if (raw.output) writeFileSync(String(raw.output), text);
    else process.stdout.write(text);
  } finally {
    backend.destroy();
    await releaseSharedGpu();
  }
}
