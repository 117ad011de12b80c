// modelFromOnnx: reads back an ONNX file that exportOnnx wrote (the demo loads one like a saved
// model): the spec and preprocessing from metadata_props, the weights from the initializers, which
// carry our parameter names. Files from other producers are refused: their graphs are not ours.

import { MODEL_FORMAT_NAME, MODEL_FORMAT_VERSION } from '../io/model-config.js';
import type { TensorMap } from '../io/safetensors.js';
import type { Model } from '../model/model.js';
import { modelFromSaved } from '../model/persist.js';
import { InputError } from '../util/errors.js';
import { onnx, FLOAT } from './onnx-proto.js';
import { ONNX_META } from './onnx-export.js';

/** What an ONNX file we exported holds: the model, and the names its metadata gives the inputs and classes. */
export interface OnnxReadBack {
  model: Model;
  featureNames?: string[];
  classNames?: string[];
}

export function modelFromOnnx(bytes: Uint8Array, source = 'model.onnx'): Model {
  return readOnnx(bytes, source).model;
}

export function readOnnx(bytes: Uint8Array, source = 'model.onnx'): OnnxReadBack {
  let proto: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError(source, `${bytes.length} bytes`, `an ONNX model file (${(err as Error).message})`);
  }
  if (proto.producerName !== ONNX_META.producer) {
    throw new InputError(`${source} producer`, proto.producerName || '(none)', `"${ONNX_META.producer}": only ONNX files exported by webgpu-mlp can be loaded back`);
  }
  const meta = new Map((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const json = (key: string) => {
    const text = meta.get(key);
    try {
      return text === undefined ? undefined : JSON.parse(text);
    } catch {
      throw new InputError(`${source} metadata ${key}`, text, 'JSON');
    }
  };
  const spec = json(ONNX_META.spec);
  if (spec === undefined) throw new InputError(`${source} metadata ${ONNX_META.spec}`, 'missing', 'the model spec exportOnnx writes');

  const tensors: TensorMap = {};
  const shapes: Record<string, number[]> = {};
  for (const t of proto.graph?.initializer ?? []) {
    const name = t.name ?? '';
    if (!/^(W|b|gamma|beta)(\d+|out)$/.test(name)) continue; // constants and preprocessing
    if (t.dataType !== FLOAT) throw new InputError(`${source} initializer ${name}`, t.dataType, `FLOAT (${FLOAT})`);
    const shape = (t.dims ?? []).map(Number);
    tensors[name] = { shape, data: floats(t, name, source) };
    shapes[name] = shape;
  }
  const model = modelFromSaved(
    {
      format: MODEL_FORMAT_NAME,
      formatVersion: MODEL_FORMAT_VERSION,
      spec,
      normalization: json(ONNX_META.normalization) ?? undefined,
      targetScaler: json(ONNX_META.targetScaler) ?? undefined,
      pipeline: json(ONNX_META.pipeline) ?? undefined,
      tensors: shapes,
      createdAt: new Date().toISOString(),
    },
    tensors,
  );
  return { model, featureNames: names(json(ONNX_META.featureNames), `${source} metadata ${ONNX_META.featureNames}`), classNames: names(json(ONNX_META.classNames), `${source} metadata ${ONNX_META.classNames}`) };
}

function names(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new InputError(field, value, 'a JSON array of strings');
  return value;
}

function floats(t: { rawData?: Uint8Array | null; floatData?: number[] | null }, name: string, source: string): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length % 4 !== 0) throw new InputError(`${source} initializer ${name}`, `${t.rawData.length} bytes`, 'a multiple of 4 bytes of float32');
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Float32Array.from({ length: t.rawData.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  return Float32Array.from(t.floatData ?? []);
}
