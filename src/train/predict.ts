// Prediction over a bound backend, shared by Model.predict (programs sized for one call) and a
// Trainer (ladder sizes bound once). Every batch's output is copied into one collector as part of
// its run's submit, and the collector is read once: a many-batch predict maps memory one time.

import type { Backend } from '../backend/backend.js';
import { predictProgram, type PredictProgram, type ProgramContext } from '../graph/programs.js';
import { programName, segmentsFor } from './batches.js';
import type { StepRunner } from './step-runner.js';

/** The predict program of each bound size. */
export type PredictPrograms = ReadonlyMap<number, PredictProgram>;

export function predictPrograms(ctx: ProgramContext, sizes: readonly number[], prefix = 'predict'): PredictPrograms {
  return new Map(sizes.map((size) => [size, predictProgram(ctx, size, undefined, programName(prefix, size))]));
}

/** Raw network outputs (probabilities for multiclass, logits otherwise) for normalized inputs. */
export async function runPredict(runner: StepRunner, programs: PredictPrograms, input: Float32Array, features: number, width: number): Promise<Float32Array> {
  const backend: Backend = runner.backend;
  const rows = input.length / features;
  const collector = backend.collector(rows * width);
  for (const { size, start } of segmentsFor(rows, [...programs.keys()])) {
    const program = programs.get(size)!;
    runner.forward(program, 0, {
      hostInputs: { 'batch:x': input.subarray(start * features, (start + size) * features) },
      collect: { into: collector, tensor: program.output.id, floats: size * width, at: start * width },
    });
  }
  return collector.read();
}
