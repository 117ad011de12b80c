// The `export` and `import` commands (portable models), parsed here so main.ts only dispatches:
//   export --model <dir> --format onnx|pytorch --out <path> [--opset 17|20] [--output logits|probabilities]
//   import --torch <weights.safetensors> [--layers ... | --spec <file.json>] --task <task> --out <dir>
// Output files are written beside their target and renamed, and never over a saved model's files.

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dataset } from '../data/dataset.js';
import { exportOnnx, exportTorch, importTorch, type TorchImportSpec } from '../export/index.js';
import { loadModel, saveModel } from '../model/files.js';
import { InputError } from '../util/errors.js';
import { resolveSettings, specFor } from './config.js';

export const PORTABLE_COMMANDS = ['export', 'import'];

const USAGE = `usage:
  webgpu-mlp export --model <dir> --format onnx|pytorch --out <path>
      [--opset 17|20] [--output probabilities|logits] [--feature-names a,b,..] [--class-names x,y,..]
      onnx: one .onnx file (normalization, network, head, target scaling in the graph)
      pytorch: a directory with model.safetensors (nn.Sequential names) and a generated model.py
  webgpu-mlp import --torch <weights.safetensors> --out <dir>
      [--layers 64,32 --activation relu[,tanh] [--layer-norm] [--residual] [--dropout p] | --spec <file.json>]
      [--task regression|binary|multiclass] [--loss <name>] [--prefix <name prefix>]
      the layers may be left out for a file written by our model.py (its metadata has them)`;

const OPTIONS = {
  model: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, opset: { type: 'string' }, output: { type: 'string' },
  'feature-names': { type: 'string' }, 'class-names': { type: 'string' }, torch: { type: 'string' }, layers: { type: 'string' },
  activation: { type: 'string' }, 'layer-norm': { type: 'boolean' }, residual: { type: 'boolean' }, dropout: { type: 'string' },
  spec: { type: 'string' }, task: { type: 'string' }, loss: { type: 'string' }, prefix: { type: 'string' },
  verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Runs `export` or `import` with the arguments after the command; returns the exit code. */
export async function portableMain(command: string, argv: string[]): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (err) {
    process.stderr.write(`webgpu-mlp ${command}: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (command === 'export') await exportCommand(values);
    else await importCommand(values);
    return 0;
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`webgpu-mlp: ${e.message.split('\n').join(values.verbose ? '\n' : ' ')}\n`);
    if (values.verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const names = (text: string | undefined) => (text === undefined ? undefined : text.split(',').map((s) => s.trim()));

async function exportCommand(v: Values): Promise<void> {
  if (!v.model) throw new InputError('--model', undefined, 'the directory of a saved model');
  if (v.format !== 'onnx' && v.format !== 'pytorch') throw new InputError('--format', v.format, 'onnx or pytorch');
  if (!v.out) throw new InputError('--out', undefined, v.format === 'onnx' ? 'the .onnx file to write' : 'the directory to write model.safetensors and model.py into');
  if (v.format === 'pytorch' && (v.opset !== undefined || v.output !== undefined)) throw new InputError(v.opset !== undefined ? '--opset' : '--output', v.opset ?? v.output, 'nothing with --format pytorch (ONNX options)');
  if (v.opset !== undefined && v.opset !== '17' && v.opset !== '20') throw new InputError('--opset', v.opset, '17 (default) or 20 (native Gelu)');
  if (v.output !== undefined && v.output !== 'probabilities' && v.output !== 'logits') throw new InputError('--output', v.output, 'probabilities (default) or logits');
  const opset = v.opset === undefined ? undefined : Number(v.opset);
  const model = await loadModel(v.model);
  const exportNames = { featureNames: names(v['feature-names']), classNames: names(v['class-names']) };
  const out = v.out;
  if (v.format === 'onnx') {
    if (existsSync(out) && statSync(out).isDirectory()) throw new InputError('--out', out, 'a file path for the .onnx model, not a directory');
    const bytes = exportOnnx(model, { ...exportNames, opset: opset as 17 | 20 | undefined, output: v.output as 'logits' | 'probabilities' | undefined });
    writeAtomically(out, bytes);
    const input = model.pipeline ? 'the encoded table columns (one-hot, NaN for missing; see its metadata "preprocessing")' : 'raw feature values';
    process.stdout.write(`exported ${v.model} to ${out} (ONNX opset ${opset ?? 17}, ${(bytes.length / 1024).toFixed(1)} KiB): input "features" [batch, ${model.spec.inputSize}] of ${input}\n`);
    return;
  }
  // A saved model's own model.safetensors must never be replaced by the PyTorch-named one.
  if (existsSync(join(out, 'model.json'))) throw new InputError('--out', out, 'a directory without a saved webgpu-mlp model in it (its model.safetensors would be replaced)');
  if (existsSync(out) && !statSync(out).isDirectory()) throw new InputError('--out', out, 'a directory (existing or new), not a file');
  const files = exportTorch(model, exportNames);
  mkdirSync(out, { recursive: true });
  for (const [file, data] of Object.entries(files)) writeAtomically(join(out, file), data);
  process.stdout.write(`exported ${v.model} to ${out}/ (${Object.keys(files).join(', ')}): python ${join(out, 'model.py')} rows.csv\n`);
}

async function importCommand(v: Values): Promise<void> {
  if (!v.torch) throw new InputError('--torch', undefined, 'a .safetensors file of a PyTorch nn.Sequential state_dict');
  if (!v.out) throw new InputError('--out', undefined, 'the directory to save the imported model into');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(v.torch);
  } catch (err) {
    throw new InputError('--torch', v.torch, `a readable .safetensors file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const model = importTorch(bytes, importSpec(v), { prefix: v.prefix, source: v.torch });
  await saveModel(model, v.out);
  const { spec } = model;
  process.stdout.write(`imported ${v.torch}: ${[spec.inputSize, ...spec.hidden.map((l) => l.units), spec.outputSize].join('-')} ${spec.task}${model.normalizer ? ' with its normalization' : ''}, saved to ${v.out}\n`);
}

/** The spec from --spec, or from the layer flags (through the train command's own parsing), or none (metadata). */
function importSpec(v: Values): TorchImportSpec | undefined {
  const task = v.task as TorchImportSpec['task'] | undefined;
  if (task !== undefined && !['regression', 'binary', 'multiclass'].includes(task)) throw new InputError('--task', task, 'regression, binary or multiclass');
  if (v.spec !== undefined) {
    if (v.layers !== undefined) throw new InputError('--layers', v.layers, 'nothing when --spec gives the layers');
    let spec: TorchImportSpec;
    try {
      spec = JSON.parse(readFileSync(v.spec, 'utf8'));
    } catch (err) {
      throw new InputError('--spec', v.spec, `a readable JSON file {hidden: [...], task} (${(err as Error).message})`);
    }
    return { ...spec, ...(task ? { task } : {}) };
  }
  if (v.layers === undefined) {
    if (task !== undefined || v.activation !== undefined) throw new InputError('--layers', undefined, 'the hidden layer widths (e.g. 64,32) when --task or --activation is given');
    return undefined;
  }
  if (task === undefined) throw new InputError('--task', undefined, 'regression, binary or multiclass');
  const raw: Record<string, unknown> = { layers: v.layers, activation: v.activation, layerNorm: v['layer-norm'], residual: v.residual, dropout: v.dropout, loss: v.loss };
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  // Widths come from the weights; specFor only needs the task here.
  const spec = specFor(resolveSettings(raw), { features: 1, task, classes: 2, targetWidth: 1 } as Dataset);
  return { hidden: spec.hidden, task, ...(spec.loss ? { loss: spec.loss } : {}) };
}

/** Write beside the target, then rename: a failed write never leaves half a file at `path`. */
function writeAtomically(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}
