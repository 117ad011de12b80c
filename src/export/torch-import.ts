// importTorch: the state_dict of a PyTorch nn.Sequential (Linear + activation, optional LayerNorm,
// Dropout, our Residual blocks) saved as safetensors, loaded into a Model. Input and output widths
// come from the tensors; everything else from the spec (or from the metadata our own export wrote).
// Every mismatch is an InputError naming the tensor, what it holds and what the spec expects.

import { validateNormalizer, validateTargetScaler } from '../data/normalize.js';
import { decodeSafetensors, type TensorMap } from '../io/safetensors.js';
import { Model } from '../model/model.js';
import type { HiddenLayerSpec, ModelSpec, Task } from '../model/spec.js';
import type { LossName } from '../ops/names.js';
import { InputError, shapeText } from '../util/errors.js';
import { TORCH_META_KEY } from './torch-export.js';
import { torchParams, transpose2d, type TorchParam } from './torch-layout.js';

/** A spec without the widths, which the weights themselves give (checked when given). */
export interface TorchImportSpec {
  hidden: HiddenLayerSpec[];
  task: Task;
  loss?: LossName;
  inputSize?: number;
  outputSize?: number;
}

export interface TorchImportOptions {
  /** state_dict name prefix to strip, e.g. "net." (default: "module." when every name has it, as DDP writes). */
  prefix?: string;
  /** Names the file in error messages. */
  source?: string;
}

export function importTorch(bytes: Uint8Array, spec?: TorchImportSpec, options: TorchImportOptions = {}): Model {
  const source = options.source ?? 'safetensors';
  const decoded = decodeSafetensors(bytes, source);
  const info = readInfo(decoded.metadata[TORCH_META_KEY], source);
  const given = spec ?? (info?.spec as TorchImportSpec | undefined);
  if (!given) throw new InputError('spec', undefined, `the hidden layers and task of the network (${source} has no webgpu-mlp metadata to take them from)`);
  if (!Array.isArray(given.hidden)) throw new InputError('spec.hidden', given.hidden, 'an array of hidden layers');
  const tensors = stripPrefix(decoded.tensors, options.prefix, source);

  // The widths: the first Linear's weight is [units, inputSize], the output Linear's [outputSize, in].
  const probe = torchParams({ inputSize: 1, hidden: given.hidden, outputSize: 1 });
  const first = tensorOf(tensors, probe[0], source, 'the first Linear layer');
  const last = tensorOf(tensors, probe[probe.length - 2], source, 'the output Linear layer');
  const inputSize = width(first, 1, probe[0], source);
  const outputSize = width(last, 0, probe[probe.length - 2], source);
  if (given.inputSize !== undefined && given.inputSize !== inputSize) throw new InputError('spec.inputSize', given.inputSize, `${inputSize} (${probe[0].torch} is ${shapeText(first.shape)})`);
  if (given.outputSize !== undefined && given.outputSize !== outputSize) throw new InputError('spec.outputSize', given.outputSize, `${outputSize} (${probe[probe.length - 2].torch} is ${shapeText(last.shape)})`);
  const full: ModelSpec = { inputSize, outputSize, hidden: given.hidden, task: given.task, ...(given.loss ? { loss: given.loss } : {}) };

  const params = torchParams(full);
  const model = new Model(full);
  for (const p of params) {
    const t = tensorOf(tensors, p, source, describe(p, full));
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new InputError(`${source} tensor "${p.torch}"`, shapeText(t.shape), `${shapeText(p.shape)} for ${describe(p, full)}`);
    }
    const e = model.layout.entry(p.ours);
    model.params.set(p.transpose ? transpose2d(t.data, p.shape[0], p.shape[1]) : t.data, e.offset);
  }
  const known = new Set(params.map((p) => p.torch));
  const extra = Object.keys(tensors).find((n) => !known.has(n));
  if (extra !== undefined) {
    const t = tensors[extra];
    const hint = t.shape.length === 1 ? ' (a LayerNorm or bias the spec does not have? set layerNorm on that layer)' : ' (more layers than the spec lists, or a module the spec does not have?)';
    throw new InputError(`${source} tensor "${extra}"`, shapeText(t.shape), `no such tensor in an nn.Sequential for this spec${hint}`);
  }

  if (info) {
    if (info.normalization) model.normalizer = validateNormalizer(info.normalization, inputSize);
    if (info.targetScaler && full.task === 'regression') model.targetScaler = validateTargetScaler(info.targetScaler, outputSize);
  }
  return model;
}

function readInfo(text: string | undefined, source: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new InputError(`${source} metadata "${TORCH_META_KEY}"`, text, 'the JSON object a webgpu-mlp export writes');
}

function stripPrefix(tensors: TensorMap, prefix: string | undefined, source: string): TensorMap {
  const names = Object.keys(tensors);
  const strip = prefix ?? (names.length > 0 && names.every((n) => n.startsWith('module.')) ? 'module.' : '');
  if (strip === '') return tensors;
  const out: TensorMap = {};
  for (const n of names) {
    if (!n.startsWith(strip)) throw new InputError(`${source} tensor "${n}"`, n, `a name starting with the prefix "${strip}"`);
    out[n.slice(strip.length)] = tensors[n];
  }
  return out;
}

function tensorOf(tensors: TensorMap, p: TorchParam, source: string, what: string) {
  const t = Object.prototype.hasOwnProperty.call(tensors, p.torch) ? tensors[p.torch] : undefined;
  if (!t) {
    const present = Object.keys(tensors).slice(0, 6).join(', ');
    throw new InputError(`${source} tensor "${p.torch}"`, 'missing', `the ${p.torch.endsWith('weight') ? 'weight' : 'bias'} of ${what} (file has: ${present}${Object.keys(tensors).length > 6 ? ', ...' : ''}; wrong layer count, activations, layerNorm/dropout, or --prefix?)`);
  }
  return t;
}

function width(t: { shape: number[] }, axis: number, p: TorchParam, source: string): number {
  if (t.shape.length !== 2 || t.shape[axis] < 1) throw new InputError(`${source} tensor "${p.torch}"`, shapeText(t.shape), 'a 2-D Linear weight [out, in]');
  return t.shape[axis];
}

function describe(p: TorchParam, spec: ModelSpec): string {
  const m = /^(W|b|gamma|beta)(\d+|out)$/.exec(p.ours)!;
  const layer = m[2] === 'out' ? 'the output layer' : `hidden[${m[2]}] (${spec.hidden[Number(m[2])].units} units)`;
  return `${m[1] === 'gamma' || m[1] === 'beta' ? 'the LayerNorm of ' : 'the Linear of '}${layer}`;
}
