// The one mapping between our layers/parameters and PyTorch's nn.Sequential: which module sits at
// which index (a residual layer is a Residual(nn.Sequential) holding its own Linear/LayerNorm/
// activation/Dropout) and which state_dict name holds which of our tensors. The exporter, the
// generated model.py and the importer all read it, so the three cannot drift apart.

import type { Activation } from '../ops/args.js';
import type { HiddenLayerSpec, ModelSpec } from '../model/spec.js';

export type TorchModule =
  | { kind: 'linear'; inFeatures: number; outFeatures: number }
  | { kind: 'layer_norm'; features: number }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'dropout'; p: number }
  | { kind: 'residual'; children: TorchModule[] };

export interface TorchEntry {
  /** Index in the top-level nn.Sequential. */
  index: number;
  module: TorchModule;
  /** Which of our layers it belongs to: a hidden layer index, or 'output'. */
  layer: number | 'output';
}

export interface TorchParam {
  /** state_dict name, e.g. "2.0.weight". */
  torch: string;
  /** Our parameter name, e.g. "W1". */
  ours: string;
  /** PyTorch's shape ([out, in] for a Linear weight, our [in, out] transposed). */
  shape: number[];
  transpose: boolean;
}

function layerModules(layer: HiddenLayerSpec, inFeatures: number): TorchModule[] {
  const mods: TorchModule[] = [{ kind: 'linear', inFeatures, outFeatures: layer.units }];
  if (layer.layerNorm) mods.push({ kind: 'layer_norm', features: layer.units });
  if (layer.activation !== 'identity') mods.push({ kind: 'activation', activation: { name: layer.activation, alpha: layer.alpha } });
  if (layer.dropout && layer.dropout > 0) mods.push({ kind: 'dropout', p: layer.dropout });
  return mods;
}

/** The top-level nn.Sequential for a spec, in order. */
export function torchSequential(spec: Pick<ModelSpec, 'inputSize' | 'hidden' | 'outputSize'>): TorchEntry[] {
  const entries: TorchEntry[] = [];
  let width = spec.inputSize;
  spec.hidden.forEach((layer, i) => {
    const mods = layerModules(layer, width);
    if (layer.residual) entries.push({ index: entries.length, module: { kind: 'residual', children: mods }, layer: i });
    else for (const m of mods) entries.push({ index: entries.length, module: m, layer: i });
    width = layer.units;
  });
  entries.push({ index: entries.length, module: { kind: 'linear', inFeatures: width, outFeatures: spec.outputSize }, layer: 'output' });
  return entries;
}

/** Every state_dict tensor of the Sequential and the parameter of ours it holds. */
export function torchParams(spec: Pick<ModelSpec, 'inputSize' | 'hidden' | 'outputSize'>): TorchParam[] {
  const params: TorchParam[] = [];
  const visit = (m: TorchModule, path: string, layer: number | 'output') => {
    const suffix = layer === 'output' ? 'out' : String(layer);
    if (m.kind === 'linear') {
      params.push({ torch: `${path}.weight`, ours: `W${suffix}`, shape: [m.outFeatures, m.inFeatures], transpose: true });
      params.push({ torch: `${path}.bias`, ours: `b${suffix}`, shape: [m.outFeatures], transpose: false });
    } else if (m.kind === 'layer_norm') {
      params.push({ torch: `${path}.weight`, ours: `gamma${suffix}`, shape: [m.features], transpose: false });
      params.push({ torch: `${path}.bias`, ours: `beta${suffix}`, shape: [m.features], transpose: false });
    } else if (m.kind === 'residual') {
      m.children.forEach((c, k) => visit(c, `${path}.${k}`, layer));
    }
  };
  for (const e of torchSequential(spec)) visit(e.module, String(e.index), e.layer);
  return params;
}

/** [rows, cols] row-major -> [cols, rows] row-major. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
