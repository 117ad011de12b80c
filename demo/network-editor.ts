// The hidden-layer editor: one row per layer (units, activation, dropout, layer norm, residual)
// with add/remove buttons. `hiddenLayers()` reads the rows back as the spec's HiddenLayerSpec[].

import { ACTIVATIONS, type ActivationName, type HiddenLayerSpec } from '../src/index.js';
import { byId, el, fillSelect } from './dom.js';

const DEFAULT_LAYERS: HiddenLayerSpec[] = [
  { units: 8, activation: 'tanh' },
  { units: 8, activation: 'tanh' },
];

let onChange: () => void = () => {};

function layerRow(layer: HiddenLayerSpec): HTMLElement {
  const row = el('li', { class: 'layer-row' });
  const units = el('input', { type: 'number', min: '1', max: '1024', step: '1', value: String(layer.units), class: 'layer-units' });
  const act = el('select', { class: 'layer-activation' });
  fillSelect(act, ACTIVATIONS, layer.activation);
  const dropout = el('input', { type: 'number', min: '0', max: '0.95', step: '0.05', value: String(layer.dropout ?? 0), class: 'layer-dropout' });
  const norm = el('input', { type: 'checkbox', class: 'layer-norm' });
  norm.checked = !!layer.layerNorm;
  const residual = el('input', { type: 'checkbox', class: 'layer-residual' });
  residual.checked = !!layer.residual;
  const remove = el('button', { type: 'button', class: 'layer-remove' }, ['Remove']);
  remove.addEventListener('click', () => {
    row.remove();
    renumber();
    onChange();
  });
  const labelled = (text: string, control: HTMLElement) => el('label', {}, [el('span', {}, [text]), control]);
  row.append(
    el('span', { class: 'layer-name' }),
    labelled('units', units),
    labelled('activation', act),
    labelled('dropout', dropout),
    labelled('layer norm', norm),
    labelled('residual', residual),
    remove,
  );
  row.addEventListener('change', () => onChange());
  return row;
}

function renumber(): void {
  byId('layers')
    .querySelectorAll('.layer-row')
    .forEach((row, i) => {
      row.querySelector('.layer-name')!.textContent = `Hidden ${i + 1}`;
      row.querySelector('.layer-remove')!.setAttribute('aria-label', `Remove hidden layer ${i + 1}`);
    });
}

export function initNetworkEditor(changed: () => void): void {
  onChange = changed;
  setHiddenLayers(DEFAULT_LAYERS);
  byId('add-layer').addEventListener('click', () => {
    const rows = byId('layers').querySelectorAll('.layer-row');
    const last = rows[rows.length - 1] ? readRow(rows[rows.length - 1] as HTMLElement) : DEFAULT_LAYERS[0];
    byId('layers').append(layerRow({ units: last.units, activation: last.activation }));
    renumber();
    onChange();
  });
}

export function setHiddenLayers(layers: readonly HiddenLayerSpec[]): void {
  byId('layers').replaceChildren(...layers.map(layerRow));
  renumber();
}

function readRow(row: HTMLElement): HiddenLayerSpec {
  const q = <T extends HTMLElement>(cls: string) => row.querySelector(`.${cls}`) as T;
  const layer: HiddenLayerSpec = {
    units: Math.max(1, Math.round(Number(q<HTMLInputElement>('layer-units').value) || 1)),
    activation: q<HTMLSelectElement>('layer-activation').value as ActivationName,
  };
  const dropout = Number(q<HTMLInputElement>('layer-dropout').value);
  if (dropout > 0 && dropout < 1) layer.dropout = dropout;
  if (q<HTMLInputElement>('layer-norm').checked) layer.layerNorm = true;
  if (q<HTMLInputElement>('layer-residual').checked) layer.residual = true;
  return layer;
}

export function hiddenLayers(): HiddenLayerSpec[] {
  return [...byId('layers').querySelectorAll<HTMLElement>('.layer-row')].map(readRow);
}

/** Changes hidden layer `index`'s width by `delta` (at least 1 unit); false when there is no such layer. */
export function changeUnits(index: number, delta: number): boolean {
  const row = byId('layers').querySelectorAll<HTMLElement>('.layer-row')[index];
  if (!row) return false;
  const input = row.querySelector<HTMLInputElement>('.layer-units')!;
  input.value = String(Math.min(1024, Math.max(1, Math.round(Number(input.value) || 1) + delta)));
  return true;
}
