// Save and load: encodeModel turns the model into model.json + model.safetensors (the CLI's
// format), offered as two downloads; loading takes both files from one multi-file input and
// decodes them with decodeModel.

import { decodeModel, encodeModel, type Model } from '../src/index.js';

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

export function saveModel(model: Model): void {
  const { json, weights } = encodeModel(model);
  download('model.json', json, 'application/json');
  download('model.safetensors', weights as Uint8Array<ArrayBuffer>, 'application/octet-stream');
}

/** Expects one .json and one .safetensors file among `files`. */
export async function loadModel(files: FileList | File[]): Promise<Model> {
  const list = [...files];
  const json = list.find((f) => f.name.endsWith('.json'));
  const weights = list.find((f) => f.name.endsWith('.safetensors'));
  if (!json || !weights) throw new Error('choose both files: model.json and model.safetensors');
  return decodeModel(await json.text(), new Uint8Array(await weights.arrayBuffer()));
}
