// The network diagram, the centre of the page: input nodes (the features φ), each hidden unit as a
// small live heatmap of its activation over the input plane (2-D data) or its curve (1-D data),
// edges coloured by the weight's sign with width by magnitude, and the output as a heatmap. −/+
// per layer changes its width; hovering a unit shows its pre-activation range and whether it is
// dead. For image data (MNIST) the first layer's units are drawn as 28x28 weight images.

import type { Model } from '../src/index.js';
import { bounds } from './boundary.js';
import type { DataBundle } from './datasets.js';
import { el } from './dom.js';
import { applyFeatures, FEATURES, type FeatureName } from './features.js';
import { forwardAll, type ForwardValues } from './unit-activations.js';

const GRID = 20;
const CURVE = 48;
const MAX_SHOWN = 12;
const SAMPLE_ROWS = 300;
const POS = [8, 119, 189];
const NEG = [245, 147, 34];

/** What the diagram needs of the current run. */
export interface DiagramSource {
  model: Model;
  data: DataBundle;
  features?: readonly FeatureName[];
  version: number;
  id: number;
}

interface NodeBox {
  x: number;
  y: number;
  size: number;
  info: () => string;
}

let root: HTMLElement;
let onUnits: (layer: number, delta: number) => void = () => {};
let boxes: NodeBox[] = [];

export function initDiagram(host: HTMLElement, changeUnits: (layer: number, delta: number) => void): void {
  root = host;
  onUnits = changeUnits;
  root.replaceChildren(el('div', { class: 'diagram-head' }), el('div', { class: 'diagram-body' }, [el('canvas', { class: 'diagram-canvas', role: 'img' }), el('div', { class: 'diagram-tip', role: 'tooltip', hidden: '' })]), el('div', { class: 'weight-images' }));
  const canvas = root.querySelector('canvas')!;
  const tip = root.querySelector<HTMLElement>('.diagram-tip')!;
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const hit = boxes.find((b) => x >= b.x && x <= b.x + b.size && y >= b.y && y <= b.y + b.size);
    tip.hidden = !hit;
    if (hit) {
      tip.textContent = hit.info();
      tip.style.left = `${Math.min(r.width - 180, hit.x + hit.size + 6)}px`;
      tip.style.top = `${hit.y}px`;
    }
  });
  canvas.addEventListener('pointerleave', () => (tip.hidden = true));
}

/** Rows of raw inputs to evaluate the units on: a grid over the plane (2-D), a line (1-D), and a sample of the training rows. */
function probeRows(src: DiagramSource): { grid?: Float32Array; gridRows: number; sample: Float32Array; sampleRows: number; raw2d: boolean } {
  const ds = src.data.train;
  const sampleRows = Math.min(SAMPLE_ROWS, ds.rows);
  const sample = ds.x.slice(0, sampleRows * ds.features);
  if (ds.features === 2) {
    const [x0, x1] = bounds(src.data.all, 0);
    const [y0, y1] = bounds(src.data.all, 1);
    const grid = new Float32Array(GRID * GRID * 2);
    for (let j = 0; j < GRID; j++)
      for (let i = 0; i < GRID; i++) {
        grid[(j * GRID + i) * 2] = x0 + ((i + 0.5) / GRID) * (x1 - x0);
        grid[(j * GRID + i) * 2 + 1] = y1 - ((j + 0.5) / GRID) * (y1 - y0);
      }
    return { grid, gridRows: GRID * GRID, sample, sampleRows, raw2d: true };
  }
  if (ds.features === 1) {
    const [x0, x1] = bounds(src.data.all, 0);
    return { grid: new Float32Array(CURVE).map((_, i) => x0 + ((i + 0.5) / CURVE) * (x1 - x0)), gridRows: CURVE, sample, sampleRows, raw2d: false };
  }
  return { gridRows: 0, sample, sampleRows, raw2d: false };
}

function modelInput(src: DiagramSource, x: Float32Array, rows: number, raw2d: boolean): Float32Array {
  return raw2d && src.features ? applyFeatures(src.features, x, rows) : x;
}

function color(v: number): string {
  const c = v >= 0 ? POS : NEG;
  const a = Math.min(1, Math.abs(v));
  return `rgb(${c.map((ch) => Math.round(255 - (255 - ch) * a)).join(',')})`;
}

/** Draws values (rows of a grid, one column `col` of `cols`) into a box: a heatmap (2-D) or a curve (1-D). */
function drawUnit(ctx: CanvasRenderingContext2D, b: NodeBox, values: ArrayLike<number>, cols: number, col: number, rows: number, twoD: boolean, fixedScale?: number): void {
  let m = fixedScale ?? 0;
  if (fixedScale === undefined) for (let r = 0; r < rows; r++) m = Math.max(m, Math.abs(values[r * cols + col]));
  m = m || 1;
  if (twoD) {
    const cell = b.size / GRID;
    for (let r = 0; r < rows; r++) {
      ctx.fillStyle = color(values[r * cols + col] / m);
      ctx.fillRect(b.x + (r % GRID) * cell, b.y + Math.floor(r / GRID) * cell, cell + 0.5, cell + 0.5);
    }
  } else {
    ctx.fillStyle = '#fff';
    ctx.fillRect(b.x, b.y, b.size, b.size);
    ctx.strokeStyle = '#0877bd';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let r = 0; r < rows; r++) {
      const px = b.x + ((r + 0.5) / rows) * b.size;
      const py = b.y + b.size / 2 - (values[r * cols + col] / m) * (b.size / 2 - 2);
      if (r === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
  ctx.strokeStyle = '#9aa3b2';
  ctx.lineWidth = 1;
  ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.size - 1, b.size - 1);
}

interface UnitStats {
  zMin: number;
  zMax: number;
  dead: boolean;
}

function unitStats(fw: ForwardValues, rows: number, layer: number, activation: string): UnitStats[] {
  const L = fw.layers[layer];
  return Array.from({ length: L.units }, (_, u) => {
    let zMin = Infinity;
    let zMax = -Infinity;
    for (let r = 0; r < rows; r++) {
      const z = L.z[r * L.units + u];
      zMin = Math.min(zMin, z);
      zMax = Math.max(zMax, z);
    }
    // A ReLU unit whose pre-activation is ≤ 0 on every training point outputs 0 and gets no gradient.
    return { zMin, zMax, dead: activation === 'relu' && zMax <= 0 };
  });
}

function header(src: DiagramSource, columns: string[][], hidden: Model['spec']['hidden']): void {
  const head = root.querySelector('.diagram-head')!;
  head.replaceChildren(
    ...columns.map(([title, sub], c) => {
      const layer = c - 1;
      const cell = el('div', { class: 'diagram-col' }, [el('strong', {}, [title]), el('span', {}, [sub])]);
      if (layer >= 0 && layer < hidden.length) {
        const minus = el('button', { type: 'button', class: 'units-minus', 'aria-label': `One unit fewer in hidden layer ${layer + 1}` }, ['−']);
        const plus = el('button', { type: 'button', class: 'units-plus', 'aria-label': `One unit more in hidden layer ${layer + 1}` }, ['+']);
        minus.addEventListener('click', () => onUnits(layer, -1));
        plus.addEventListener('click', () => onUnits(layer, +1));
        cell.append(el('span', { class: 'units-buttons' }, [minus, plus]));
      }
      return cell;
    }),
  );
  head.setAttribute('style', `grid-template-columns: repeat(${columns.length}, minmax(0, 1fr))`);
  void src;
}

/** Redraws the diagram for the run's current weights; returns the hidden layers' values on a sample of training rows. */
export function drawDiagram(src: DiagramSource | undefined): ForwardValues | undefined {
  if (!root) return undefined;
  const canvas = root.querySelector<HTMLCanvasElement>('canvas')!;
  const images = root.querySelector<HTMLElement>('.weight-images')!;
  if (!src) {
    boxes = [];
    root.querySelector('.diagram-head')!.replaceChildren(el('p', { class: 'hint' }, ['No network yet.']));
    canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
    images.replaceChildren();
    return undefined;
  }
  const { model } = src;
  const spec = model.spec;
  const probe = probeRows(src);
  const twoD = probe.raw2d;
  const gridFw = probe.grid ? forwardAll(model, modelInput(src, probe.grid, probe.gridRows, twoD), probe.gridRows) : undefined;
  const sampleFw = forwardAll(model, modelInput(src, probe.sample, probe.sampleRows, twoD), probe.sampleRows);
  const stats = spec.hidden.map((l, i) => unitStats(sampleFw, probe.sampleRows, i, l.activation));
  const imageInputs = spec.inputSize > 32;
  const means = sampleFw.layers.map((L) => Array.from({ length: L.units }, (_, u) => {
    let sum = 0;
    for (let r = 0; r < probe.sampleRows; r++) sum += L.a[r * L.units + u];
    return sum / probe.sampleRows;
  }));

  const inputNames = src.features && twoD ? src.features.map((f) => FEATURES[f].label) : src.data.all.featureNames ?? Array.from({ length: spec.inputSize }, (_, i) => `x${i + 1}`);
  const columns: string[][] = [[ 'Input', imageInputs ? `${spec.inputSize} pixels` : `${spec.inputSize} feature${spec.inputSize === 1 ? '' : 's'}`]];
  spec.hidden.forEach((l, i) => {
    const dead = stats[i].filter((s) => s.dead).length;
    columns.push([`Hidden ${i + 1}`, `${l.units} ${l.activation}${dead ? `, ${dead} dead` : ''}`]);
  });
  columns.push(['Output', spec.task === 'multiclass' ? `${spec.outputSize} classes` : spec.task]);
  header(src, columns, spec.hidden);

  // Column sizes: nodes shown per column (input pixels are not drawn one by one).
  const shown = [imageInputs ? 0 : Math.min(MAX_SHOWN, spec.inputSize), ...spec.hidden.map((l) => Math.min(MAX_SHOWN, l.units)), Math.min(MAX_SHOWN, spec.outputSize)];
  const width = Math.max(240, root.clientWidth - 2);
  const colW = width / columns.length;
  const size = Math.max(18, Math.min(Math.max(...shown) > 10 ? 32 : 44, colW * 0.45));
  const gap = Math.max(4, size * 0.18);
  const height = Math.max(...shown) * (size + gap) + gap + 14;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);

  const colBoxes: NodeBox[][] = shown.map((n, c) => {
    const top = (height - 14 - n * (size + gap) + gap) / 2;
    return Array.from({ length: n }, (_, k) => ({ x: c * colW + (colW - size) / 2, y: top + k * (size + gap), size, info: () => '' }));
  });

  // Edges: sign → colour, |w| → width, per layer relative to its largest weight.
  for (let c = 0; c + 1 < columns.length; c++) {
    if (colBoxes[c].length === 0) continue;
    const name = c < spec.hidden.length ? `W${c}` : 'Wout';
    const e = model.layout.entry(name);
    const W = model.params.subarray(e.offset, e.offset + e.size);
    const outs = e.shape[1];
    let max = 0;
    for (const w of W) max = Math.max(max, Math.abs(w));
    for (let i = 0; i < colBoxes[c].length; i++)
      for (let j = 0; j < colBoxes[c + 1].length; j++) {
        const w = W[i * outs + j];
        const a = colBoxes[c][i];
        const b = colBoxes[c + 1][j];
        ctx.strokeStyle = w >= 0 ? 'rgba(8,119,189,0.55)' : 'rgba(245,147,34,0.6)';
        ctx.lineWidth = 0.2 + 3.5 * (Math.abs(w) / (max || 1));
        ctx.beginPath();
        ctx.moveTo(a.x + size, a.y + size / 2);
        ctx.lineTo(b.x, b.y + size / 2);
        ctx.stroke();
      }
  }

  const probeRowsN = probe.gridRows;
  const fmt = (v: number) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2));
  // Inputs: each feature's value over the plane.
  if (probe.grid && !imageInputs) {
    const feats = twoD && src.features ? applyFeatures(src.features, probe.grid, probeRowsN) : probe.grid;
    colBoxes[0].forEach((b, k) => {
      drawUnit(ctx, b, feats, spec.inputSize, k, probeRowsN, twoD);
      b.info = () => `Input ${inputNames[k]}`;
    });
  }
  spec.hidden.forEach((layer, i) => {
    colBoxes[i + 1].forEach((b, u) => {
      if (gridFw) drawUnit(ctx, b, gridFw.layers[i].a, layer.units, u, probeRowsN, twoD, layer.activation === 'tanh' || layer.activation === 'sigmoid' ? 1 : undefined);
      else {
        // No input plane to draw over: the unit's mean output on the training sample, relative to the layer's largest.
        ctx.fillStyle = color(means[i][u] / (Math.max(...means[i].map(Math.abs)) || 1));
        ctx.fillRect(b.x, b.y, b.size, b.size);
        ctx.strokeStyle = '#9aa3b2';
        ctx.lineWidth = 1;
        ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.size - 1, b.size - 1);
      }
      const s = stats[i][u];
      if (s.dead) {
        ctx.strokeStyle = '#b3261e';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(b.x + 3, b.y + 3);
        ctx.lineTo(b.x + b.size - 3, b.y + b.size - 3);
        ctx.stroke();
      }
      b.info = () => `Hidden ${i + 1}, unit ${u + 1} (${layer.activation}): pre-activation ${fmt(s.zMin)} … ${fmt(s.zMax)} on ${probe.sampleRows} training rows${s.dead ? ' — dead (≤ 0 on every row, no gradient)' : layer.activation === 'relu' ? ' — alive' : ''}`;
    });
    if (layer.units > MAX_SHOWN) {
      ctx.fillStyle = '#5b6475';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(`+${layer.units - MAX_SHOWN} more`, (i + 1.5) * colW, height - 3);
    }
  });
  const outCol = colBoxes[colBoxes.length - 1];
  outCol.forEach((b, k) => {
    if (gridFw) {
      if (spec.task === 'binary') {
        const centred = Float64Array.from(gridFw.out, (p) => 2 * p - 1);
        drawUnit(ctx, b, centred, 1, 0, probeRowsN, twoD, 1);
      } else drawUnit(ctx, b, gridFw.out, spec.outputSize, k, probeRowsN, twoD, spec.task === 'regression' ? undefined : 1);
    } else {
      // Mean predicted probability of class k over the training sample.
      let mean = 0;
      for (let r = 0; r < probe.sampleRows; r++) mean += sampleFw.out[r * spec.outputSize + k] / probe.sampleRows;
      ctx.fillStyle = color(Math.min(1, mean * spec.outputSize * 0.5));
      ctx.fillRect(b.x, b.y, b.size, b.size);
      ctx.fillStyle = '#1d2330';
      ctx.font = `${Math.round(size * 0.5)}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.fillText(String(k), b.x + size / 2, b.y + size * 0.68);
    }
    b.info = () => (spec.task === 'binary' ? 'Output: P(class 1) over the plane' : spec.task === 'multiclass' ? `Output: P(class ${k})${gridFw ? ' over the plane' : ', mean over the training sample'}` : 'Output: the fitted value');
  });
  if (imageInputs) {
    ctx.fillStyle = '#5b6475';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('28×28', colW / 2, height / 2);
  }
  boxes = colBoxes.flat();
  drawWeightImages(images, model, imageInputs);
  root.dataset.units = String(boxes.length);
  root.dataset.drawn = `${src.id}:${src.version}`;
  root.dataset.dead = stats.map((s) => s.filter((u) => u.dead).length).join(',');
  return sampleFw;
}

/** First-layer weights of image inputs, one 28x28 picture per unit (blue positive, orange negative). */
function drawWeightImages(host: HTMLElement, model: Model, on: boolean): void {
  const side = Math.round(Math.sqrt(model.spec.inputSize));
  if (!on || side * side !== model.spec.inputSize || model.spec.hidden.length === 0) {
    host.replaceChildren();
    return;
  }
  const units = Math.min(64, model.spec.hidden[0].units);
  if (host.children.length !== units + 1) {
    host.replaceChildren(el('p', { class: 'hint' }, [`Hidden 1's weights as ${side}×${side} images (blue +, orange −): what each unit looks for.`]), ...Array.from({ length: units }, (_, u) => el('canvas', { width: String(side), height: String(side), title: `Hidden 1, unit ${u + 1}` })));
  }
  const e = model.layout.entry('W0');
  const W = model.params.subarray(e.offset, e.offset + e.size);
  const outs = e.shape[1];
  for (let u = 0; u < units; u++) {
    let max = 0;
    for (let p = 0; p < model.spec.inputSize; p++) max = Math.max(max, Math.abs(W[p * outs + u]));
    const img = new ImageData(side, side);
    for (let p = 0; p < model.spec.inputSize; p++) {
      const v = W[p * outs + u] / (max || 1);
      const c = v >= 0 ? POS : NEG;
      const a = Math.abs(v);
      img.data.set([...c.map((ch) => Math.round(255 - (255 - ch) * a)), 255], p * 4);
    }
    (host.children[u + 1] as HTMLCanvasElement).getContext('2d')!.putImageData(img, 0, 0);
  }
}
