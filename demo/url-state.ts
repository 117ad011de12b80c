// Shareable state: the whole experiment (dataset, rows, noise, test fraction, features, layers,
// optimizer, learning rate, batch, weight decay, early stopping, seed, lesson, backend, compare mode) lives in the
// address's query, so a link opens the same experiment. Layers read `8.tanh,16.relu.d0.2` (units,
// activation, optional dropout).

import { ACTIVATIONS, type ActivationName, type HiddenLayerSpec } from '../src/index.js';

export interface PageState {
  dataset?: string;
  rows?: string;
  noise?: string;
  test?: string;
  features?: string[];
  layers?: HiddenLayerSpec[];
  optimizer?: string;
  lr?: string;
  batch?: string;
  wd?: string;
  early?: boolean;
  seed?: string;
  lesson?: string;
  backend?: string;
  /** 'compare' for Compare mode, and the variant set it compares. */
  mode?: string;
  vary?: string;
}

export function encodeLayers(layers: readonly HiddenLayerSpec[]): string {
  return layers.map((l) => `${l.units}.${l.activation}${l.dropout ? `.d${l.dropout}` : ''}${l.layerNorm ? '.ln' : ''}${l.residual ? '.res' : ''}`).join(',');
}

export function decodeLayers(text: string): HiddenLayerSpec[] | undefined {
  const layers: HiddenLayerSpec[] = [];
  for (const part of text.split(',').filter((p) => p.length > 0)) {
    const [units, activation, ...flags] = part.split('.');
    const n = Number(units);
    if (!Number.isInteger(n) || n < 1 || n > 1024 || !ACTIVATIONS.includes(activation as ActivationName)) return undefined;
    const layer: HiddenLayerSpec = { units: n, activation: activation as ActivationName };
    for (let i = 0; i < flags.length; i++) {
      const f = flags[i];
      // A dropout like d0.3 was split at its decimal point: rejoin it.
      if (f.startsWith('d') && /^\d+$/.test(flags[i + 1] ?? '')) {
        layer.dropout = Number(`${f.slice(1)}.${flags[++i]}`);
      } else if (f === 'ln') layer.layerNorm = true;
      else if (f === 'res') layer.residual = true;
    }
    layers.push(layer);
  }
  return layers.length > 0 ? layers : undefined;
}

const KEYS: Record<Exclude<keyof PageState, 'features' | 'layers' | 'early'>, string> = {
  dataset: 'data', rows: 'rows', noise: 'noise', test: 'test', optimizer: 'opt', lr: 'lr', batch: 'batch', wd: 'wd', seed: 'seed', lesson: 'lesson', backend: 'backend', mode: 'mode', vary: 'vary',
};

export function readUrlState(search = location.search): PageState {
  const q = new URLSearchParams(search);
  const state: PageState = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const v = q.get(key);
    if (v !== null) state[field] = v;
  }
  const f = q.get('phi');
  if (f) state.features = f.split(',');
  const l = q.get('layers');
  if (l) state.layers = decodeLayers(l);
  if (q.has('early')) state.early = q.get('early') === '1';
  return state;
}

export function writeUrlState(state: PageState): void {
  const q = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const v = state[field];
    if (v !== undefined && v !== '') q.set(key, v);
  }
  if (state.features) q.set('phi', state.features.join(','));
  if (state.layers) q.set('layers', encodeLayers(state.layers));
  if (state.early) q.set('early', '1');
  const url = `${location.pathname}?${q.toString().replace(/%2C/g, ',')}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
