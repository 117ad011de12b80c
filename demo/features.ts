// Input features φ(x) for 2-D data (the seeds' f(x) = Wφ(x) + b): x₁, x₂, x₁², x₂², x₁x₂, sin x₁,
// sin x₂ as toggles. The model is trained on φ(x); the plots stay in the raw (x₁, x₂) plane, so
// every prediction on raw points goes through `applyFeatures` first.

import type { Dataset } from '../src/index.js';
import { byId, el } from './dom.js';

export const FEATURES = {
  x1: { label: 'x₁', f: (a: number) => a },
  x2: { label: 'x₂', f: (_: number, b: number) => b },
  x1sq: { label: 'x₁²', f: (a: number) => a * a },
  x2sq: { label: 'x₂²', f: (_: number, b: number) => b * b },
  x1x2: { label: 'x₁x₂', f: (a: number, b: number) => a * b },
  sin1: { label: 'sin x₁', f: (a: number) => Math.sin(a) },
  sin2: { label: 'sin x₂', f: (_: number, b: number) => Math.sin(b) },
} as const;
export type FeatureName = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];
export const DEFAULT_FEATURES: FeatureName[] = ['x1', 'x2'];

/** φ of raw 2-D rows. */
export function applyFeatures(features: readonly FeatureName[], x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * features.length);
  for (let r = 0; r < rows; r++) {
    const a = x[2 * r];
    const b = x[2 * r + 1];
    features.forEach((name, j) => (out[r * features.length + j] = FEATURES[name].f(a, b)));
  }
  return out;
}

/** The dataset with φ(x) as its features (2-D data only; anything else is returned as is). */
export function featureDataset(ds: Dataset, features: readonly FeatureName[] | undefined): Dataset {
  if (!features || ds.features !== 2) return ds;
  return { ...ds, x: applyFeatures(features, ds.x, ds.rows), features: features.length, featureNames: features.map((f) => FEATURES[f].label) };
}

export function initFeatureToggles(changed: () => void): void {
  const host = byId('features');
  host.replaceChildren(
    ...FEATURE_NAMES.map((name) => {
      const box = el('input', { type: 'checkbox', value: name, 'data-feature': name });
      box.addEventListener('change', () => {
        // At least one feature stays on: a network needs an input.
        if (selectedFeatures().length === 0) box.checked = true;
        changed();
      });
      return el('label', { class: 'toggle' }, [box, FEATURES[name].label]);
    }),
  );
  setFeatures(DEFAULT_FEATURES);
}

export function selectedFeatures(): FeatureName[] {
  return [...byId('features').querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value as FeatureName);
}

export function setFeatures(features: readonly string[]): void {
  const valid = features.filter((f): f is FeatureName => f in FEATURES);
  const on = valid.length > 0 ? valid : DEFAULT_FEATURES;
  byId('features').querySelectorAll<HTMLInputElement>('input[type=checkbox]').forEach((b) => (b.checked = on.includes(b.value as FeatureName)));
}
