// Prediction over a bound backend, shared by Model.predict (programs sized for one call) and a
// Trainer (ladder sizes bound once). Every batch's output copy is queued right after its run and
// all of them are awaited together, so a many-batch predict waits for the device once, not per batch.

import type { Backend, ProgramSet } from '../backend/backend.js';
import type { TensorRef } from '../graph/program.js';
import { predictProgram, type ProgramContext } from '../graph/programs.js';
import { SCALARS_LENGTH } from '../ops/args.js';
import { programName, segmentsFor } from './feed.js';

export interface PredictPrograms {
  prefix: string;
  sizes: readonly number[];
  /** The tensor holding a batch's outputs (softmax probabilities or raw outputs). */
  output: TensorRef;
}

export function addPredictPrograms(programs: ProgramSet, ctx: ProgramContext, sizes: readonly number[], prefix = 'predict'): PredictPrograms {
  let output: TensorRef | undefined;
  for (const size of sizes) {
    const p = predictProgram(ctx, size, undefined);
    programs[programName(prefix, size)] = p.ops;
    output = p.output;
  }
  return { prefix, sizes, output: output! };
}

/** Raw network outputs (probabilities for multiclass, logits otherwise) for normalized inputs. */
export async function runPredict(backend: Backend, p: PredictPrograms, input: Float32Array, features: number, width: number): Promise<Float32Array> {
  const rows = input.length / features;
  const scalars = new Float32Array(SCALARS_LENGTH);
  const segments = segmentsFor(rows, p.sizes);
  // The GPU backend encodes each copy into its own submit when readTensor is called, i.e. before
  // the next batch overwrites the output tensor; nothing is awaited until every batch is queued.
  const reads = segments.map(({ size, start }) => {
    backend.run([programName(p.prefix, size)], scalars, { hostInputs: { 'batch:x': input.subarray(start * features, (start + size) * features) } });
    return backend.readTensor(p.output.id, size * width);
  });
  const parts = await Promise.all(reads);
  const out = new Float32Array(rows * width);
  segments.forEach(({ start }, i) => out.set(parts[i], start * width));
  return out;
}
