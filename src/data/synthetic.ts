// Seeded toy datasets for demos, tests and the CLI: small 2-D classification problems and 1-D
// regression curves whose answer is known, so a user can see at a glance whether training works.
// Same options + seed -> identical dataset on every platform (all randomness comes from Rng).

import type { Task } from '../types/model-spec.js';
import { Rng } from '../util/rng.js';
import { InputError } from '../util/errors.js';
import type { Dataset } from './dataset.js';

export interface SyntheticOptions {
  /** Number of rows. */
  n?: number;
  /** Std of Gaussian noise added to inputs (classification) or targets (regression). */
  noise?: number;
  seed?: number;
}

export interface BlobsOptions extends SyntheticOptions {
  /** Number of blobs / classes (default 3). */
  classes?: number;
}

export interface SawtoothOptions extends SyntheticOptions {
  /** How many times the tent map is composed (default 3): 2^k linear pieces. */
  k?: number;
}

export type AnySyntheticOptions = BlobsOptions & SawtoothOptions;

const DEFAULT_SEED = 1;
const DEFAULT_N = 200;

interface Resolved {
  n: number;
  noise: number;
  rng: Rng;
}

function resolve(opts: SyntheticOptions, defaultNoise: number): Resolved {
  const n = opts.n ?? DEFAULT_N;
  const noise = opts.noise ?? defaultNoise;
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(n) || n < 1) throw new InputError('n', n, 'a positive integer');
  if (!Number.isFinite(noise) || noise < 0) throw new InputError('noise', noise, 'a finite number >= 0');
  if (!Number.isFinite(seed)) throw new InputError('seed', seed, 'a finite number');
  return { n, noise, rng: new Rng(seed) };
}

function make2d(name: string, task: Task, x: Float32Array, y: Float32Array, classes?: number): Dataset {
  const ds: Dataset = { name, task, x, y, rows: y.length, features: 2, targetWidth: 1, featureNames: ['x1', 'x2'] };
  if (classes !== undefined) ds.classes = classes;
  return ds;
}

/** The 4 XOR corners (0/1 inputs, label a xor b) cycled to n rows; noise jitters the inputs. */
export function xor(opts: SyntheticOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = i & 1;
    const b = (i >> 1) & 1;
    x[2 * i] = noise > 0 ? a + rng.normal(0, noise) : a;
    x[2 * i + 1] = noise > 0 ? b + rng.normal(0, noise) : b;
    y[i] = a ^ b;
  }
  return make2d('xor', 'binary', x, y);
}

/** Two concentric rings: outer radius 1 (label 0), inner radius 0.5 (label 1). */
export function circles(opts: SyntheticOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0.05);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r = label === 1 ? 0.5 : 1;
    const t = rng.uniform(0, 2 * Math.PI);
    x[2 * i] = r * Math.cos(t) + rng.normal(0, noise);
    x[2 * i + 1] = r * Math.sin(t) + rng.normal(0, noise);
    y[i] = label;
  }
  return make2d('circles', 'binary', x, y);
}

/** Two interleaved spirals (1.75 turns each, radius up to 1); the second is the first rotated by pi. */
export function spirals(opts: SyntheticOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0.02);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const u = rng.next();
    const t = 1.75 * 2 * Math.PI * u + label * Math.PI;
    x[2 * i] = u * Math.sin(t) + rng.normal(0, noise);
    x[2 * i + 1] = u * Math.cos(t) + rng.normal(0, noise);
    y[i] = label;
  }
  return make2d('spirals', 'binary', x, y);
}

/** Gaussian blobs with centres evenly spaced on a circle of radius 3 (so they are separable). */
export function blobs(opts: BlobsOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0.5);
  const classes = opts.classes ?? 3;
  if (!Number.isInteger(classes) || classes < 2) throw new InputError('classes', classes, 'an integer >= 2');
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    const angle = (2 * Math.PI * label) / classes;
    x[2 * i] = 3 * Math.cos(angle) + rng.normal(0, noise);
    x[2 * i + 1] = 3 * Math.sin(angle) + rng.normal(0, noise);
    y[i] = label;
  }
  return make2d('blobs', 'multiclass', x, y, classes);
}

/** Two interleaving half circles (as scikit-learn's make_moons): upper moon label 0, lower label 1. */
export function moons(opts: SyntheticOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0.1);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = rng.uniform(0, Math.PI);
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x[2 * i] = px + rng.normal(0, noise);
    x[2 * i + 1] = py + rng.normal(0, noise);
    y[i] = label;
  }
  return make2d('moons', 'binary', x, y);
}

/** y = sin(x) + noise, x uniform in [-pi, pi]. */
export function sine(opts: SyntheticOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.uniform(-Math.PI, Math.PI);
    x[i] = v;
    y[i] = Math.sin(v) + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  return { name: 'sine', task: 'regression', x, y, rows: n, features: 1, targetWidth: 1, featureNames: ['x'] };
}

/** The tent map ReLU(2x) - ReLU(4x-2) + ReLU(2x-2) composed k times: 2^k linear pieces on [0, 1]. */
export function sawtoothFn(x: number, k: number): number {
  const relu = (v: number) => (v > 0 ? v : 0);
  let v = x;
  for (let i = 0; i < k; i++) v = relu(2 * v) - relu(4 * v - 2) + relu(2 * v - 2);
  return v;
}

/**
 * Regression on sawtoothFn, x uniform in [0, 1]. A network with depth ~k represents it with few
 * units while a shallow one needs ~2^k: the classic "depth buys exponentially many pieces" example.
 */
export function sawtooth(opts: SawtoothOptions = {}): Dataset {
  const { n, noise, rng } = resolve(opts, 0);
  const k = opts.k ?? 3;
  if (!Number.isInteger(k) || k < 1 || k > 30) throw new InputError('k', k, 'an integer in [1, 30]');
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.next();
    x[i] = v;
    // Evaluate at the stored float32 value so the target is exactly f(x) for the x the model sees.
    y[i] = sawtoothFn(x[i], k) + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  return { name: 'sawtooth', task: 'regression', x, y, rows: n, features: 1, targetWidth: 1, featureNames: ['x'] };
}

export type SyntheticName = 'xor' | 'circles' | 'spirals' | 'blobs' | 'moons' | 'sine' | 'sawtooth';

export interface SyntheticEntry {
  task: Task;
  description: string;
  generate: (opts?: AnySyntheticOptions) => Dataset;
}

/** Name -> generator, for CLI and demo menus. */
export const SYNTHETIC_DATASETS: Readonly<Record<SyntheticName, SyntheticEntry>> = {
  xor: { task: 'binary', description: 'the 4 XOR corners, repeated', generate: xor },
  circles: { task: 'binary', description: 'inner vs outer ring', generate: circles },
  spirals: { task: 'binary', description: 'two interleaved spirals', generate: spirals },
  blobs: { task: 'multiclass', description: 'Gaussian blobs, one per class (classes default 3)', generate: blobs },
  moons: { task: 'binary', description: 'two interleaving half moons', generate: moons },
  sine: { task: 'regression', description: 'y = sin x on [-pi, pi]', generate: sine },
  sawtooth: { task: 'regression', description: 'tent map composed k times on [0, 1] (k default 3)', generate: sawtooth },
};

export function isSyntheticName(name: string): name is SyntheticName {
  return Object.prototype.hasOwnProperty.call(SYNTHETIC_DATASETS, name);
}
