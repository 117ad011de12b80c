// Compare mode's variant sets: what one comparison varies around the page's network, as a sweep
// grid (one model per variant, trained together as one model batch) and a label per variant,
// in the grid's order. Labels name only what differs, so they fit the thumbnails and the legend.

import type { ActivationName, InitName, SweepGrid } from '../src/index.js';

export const VARIANT_SETS = ['activations', 'lr', 'seeds', 'init', 'dropout'] as const;
export type VariantSetName = (typeof VARIANT_SETS)[number];

/** The menu's words for each set. */
export const VARIANT_TITLES: Record<VariantSetName, string> = {
  activations: 'Activations (8)',
  lr: 'Learning rates (5)',
  seeds: 'Seeds (8)',
  init: 'Initializers (5)',
  dropout: 'Dropout rates (5)',
};

export interface VariantSet {
  grid: SweepGrid;
  labels: string[];
}

const ACTIVATION_SET: ActivationName[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'leaky_relu', 'elu', 'silu', 'selu'];
const INIT_SET: InitName[] = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal'];
const DROPOUT_SET = [0, 0.1, 0.2, 0.3, 0.5];
/** Two decades either side of the page's rate: too small to move, about right, too large to settle. */
const LR_FACTORS = [0.01, 0.1, 1, 10, 100];
const SEED_COUNT = 8;

/** A rate rounded to 2 significant digits, so 0.03 × 10 reads 0.3, not 0.30000000000000004. */
const round2 = (v: number) => Number(v.toPrecision(2));

/** The variants of `name` around the page's learning rate and seed (the seed stays fixed unless the set varies it). */
export function variantSet(name: VariantSetName, base: { lr: number; seed: number }): VariantSet {
  const first = Math.max(0, base.seed);
  const seed = [first];
  switch (name) {
    case 'activations':
      return { grid: { activation: ACTIVATION_SET, seed }, labels: [...ACTIVATION_SET] };
    case 'lr': {
      const lr = LR_FACTORS.map((f) => round2(base.lr * f));
      return { grid: { lr, seed }, labels: lr.map((v) => `lr ${v}`) };
    }
    case 'seeds': {
      const seeds = Array.from({ length: SEED_COUNT }, (_, i) => first + i);
      return { grid: { seed: seeds }, labels: seeds.map((s) => `seed ${s}`) };
    }
    case 'init':
      return { grid: { init: INIT_SET, seed }, labels: [...INIT_SET] };
    case 'dropout':
      return { grid: { dropout: DROPOUT_SET, seed }, labels: DROPOUT_SET.map((d) => `dropout ${d}`) };
    default:
      return name satisfies never;
  }
}

export function isVariantSet(v: string | undefined): v is VariantSetName {
  return (VARIANT_SETS as readonly string[]).includes(v ?? '');
}
