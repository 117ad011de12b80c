// Prediction over a bound backend, shared by Model.predict (programs sized for one call) and a
// Trainer (ladder sizes bound once). Every batch's output is copied into one collector as part of
// its run's submit, and the collector is read once: a many-batch predict maps memory one time.

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
  const collector = backend.collector(rows * width);
  for (const { size, start } of segmentsFor(rows, p.sizes)) {
    backend.run([programName(p.prefix, size)], scalars, {
      hostInputs: { 'batch:x': input.subarray(start * features, (start + size) * features) },
      collect: { into: collector, tensor: p.output.id, floats: size * width, at: start * width },
    });
  }
  return collector.read();
}
