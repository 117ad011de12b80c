// Save and load. Save offers ONE download: a playground file (`*.mlp.json`) holding the library's
// model.json, its model.safetensors (base64) and the page's extras (the input features φ and the
// dataset), so a model comes back with the features it was trained on. Load takes that file, or
// the CLI's pair model.json + model.safetensors, or an ONNX file exported here (its input names
// are the features φ, so those come back with it).

import { decodeModel, encodeModel, exportOnnx, readOnnx, type Model } from '../src/index.js';
import { FEATURES, type FeatureName } from './features.js';

const FORMAT = 'webgpu-mlp-playground';

export interface PlaygroundExtras {
  features?: FeatureName[];
  dataset?: string;
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function saveModel(model: Model, extras: PlaygroundExtras): void {
  const { json, weights } = encodeModel(model);
  const file = { format: FORMAT, version: 1, playground: extras, model: JSON.parse(json), safetensors: toBase64(weights) };
  download(`${extras.dataset ?? 'model'}.mlp.json`, JSON.stringify(file), 'application/json');
}

/** The whole predict path as one ONNX file (opset 17, probabilities), inputs named by the features φ. */
export function exportOnnxFile(model: Model, extras: PlaygroundExtras): void {
  const bytes = exportOnnx(model, extras.features ? { featureNames: [...extras.features] } : {});
  download(`${extras.dataset ?? 'model'}.onnx`, new Uint8Array(bytes), 'application/octet-stream');
}

/** A playground file, the CLI's model.json + model.safetensors pair, or an ONNX file exported here. */
export async function loadModel(files: FileList | File[]): Promise<{ model: Model; extras: PlaygroundExtras }> {
  const list = [...files];
  const onnxFile = list.find((f) => f.name.endsWith('.onnx'));
  if (onnxFile) {
    const { model, featureNames } = readOnnx(new Uint8Array(await onnxFile.arrayBuffer()), onnxFile.name);
    const features = featureNames?.every((n) => n in FEATURES) ? (featureNames as FeatureName[]) : undefined;
    return { model, extras: features ? { features } : {} };
  }
  const json = list.find((f) => f.name.endsWith('.json'));
  if (!json) throw new Error('choose a saved playground file (*.mlp.json), or model.json together with model.safetensors');
  const parsed = JSON.parse(await json.text()) as { format?: string; model?: unknown; safetensors?: string; playground?: PlaygroundExtras };
  if (parsed.format === FORMAT) {
    if (typeof parsed.safetensors !== 'string' || !parsed.model) throw new Error(`${json.name}: a playground file needs "model" and "safetensors"`);
    return { model: decodeModel(JSON.stringify(parsed.model), fromBase64(parsed.safetensors)), extras: parsed.playground ?? {} };
  }
  const weights = list.find((f) => f.name.endsWith('.safetensors'));
  if (!weights) throw new Error(`${json.name} is a model.json: choose model.safetensors with it`);
  return { model: decodeModel(await json.text(), new Uint8Array(await weights.arrayBuffer())), extras: {} };
}
