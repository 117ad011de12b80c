// Float64 reference of the optimizer step: the specification shaders/optimizer.wgsl implements in
// f32. Update rules follow PyTorch's conventions (noted per optimizer); defaults are exported so
// the defaults live in src/ops/defaults.ts.

import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { CLIP_EPSILON, optimizerHyperparameters } from '../ops/defaults.js';
import type { CpuTensor } from '../ops/tensor.js';

type Args = OpArgs<CpuTensor>;
type OptimizerArgs = Args['optimizer'];

/**
 * The gradient scale for clipping to maxNorm, from the sum of squares of the whole gradient.
 * maxNorm = Infinity (a model of a batch that does not clip) is exactly 1, even for an overflowed norm.
 */
export function clipFactor(sumSquares: number, maxNorm: number): number {
  if (maxNorm === Infinity) return 1;
  return Math.min(1, maxNorm / (Math.sqrt(sumSquares) + CLIP_EPSILON));
}

/**
 * One step over the flat buffer, in place on params, state1 and state2. Per element i:
 *   g = grads[i] * clipFactor (1 without clip)
 *   i < decayCount: adamw decays decoupled, p -= lr·wd·p, before its update;
 *                   every other optimizer adds L2 to the gradient, g += wd·p.
 * then, with t the 1-based step:
 *   sgd       p -= lr·g
 *   momentum  v = μv + g;              p -= lr·v              (torch.optim.SGD, dampening 0)
 *   nesterov  v = μv + g;              p -= lr·(g + μv)       (torch.optim.SGD, nesterov=True)
 *   adam(w)   m = β1m + (1−β1)g;  v = β2v + (1−β2)g²;
 *             p -= lr·m̂/(sqrt(v̂) + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)   (ε outside the sqrt)
 *   rmsprop   s = ρs + (1−ρ)g²;        p -= lr·g/(sqrt(s) + ε)  (torch.optim.RMSprop, no centering)
 *   adagrad   s += g²;                 p -= lr·g/(sqrt(s) + ε)  (accumulator starts at state1's values)
 * Momentum buffers start at 0, so the first momentum step is v = g as in PyTorch.
 */
const NO_STATE = new Float64Array(0);

export function optimizer(args: OptimizerArgs): void {
  const h = optimizerHyperparameters(args);
  const { params, grads, scalars, decayCount, clip } = args;
  const lr = scalars.data[SCALAR.lr];
  const t = scalars.data[SCALAR.step];
  const scale = clip ? clipFactor(clip.sumSquares.data[0], clip.maxNorm) : 1;
  // Validation guarantees the states an optimizer reads exist; sgd reads none.
  const s1 = args.state1?.data ?? NO_STATE;
  const s2 = args.state2?.data ?? NO_STATE;
  const decoupled = args.optimizer === 'adamw';
  const biasCorrection1 = 1 - h.beta1 ** t;
  const biasCorrection2 = 1 - h.beta2 ** t;

  for (let i = 0; i < params.data.length; i++) {
    let p = params.data[i];
    let g = grads.data[i] * scale;
    if (i < decayCount) {
      if (decoupled) p -= lr * h.weightDecay * p;
      else g += h.weightDecay * p;
    }
    switch (args.optimizer) {
      case 'sgd':
        p -= lr * g;
        break;
      case 'momentum':
        s1[i] = h.momentum * s1[i] + g;
        p -= lr * s1[i];
        break;
      case 'nesterov':
        s1[i] = h.momentum * s1[i] + g;
        p -= lr * (g + h.momentum * s1[i]);
        break;
      case 'adam':
      case 'adamw': {
        s1[i] = h.beta1 * s1[i] + (1 - h.beta1) * g;
        s2[i] = h.beta2 * s2[i] + (1 - h.beta2) * g * g;
        const mHat = s1[i] / biasCorrection1;
        const vHat = s2[i] / biasCorrection2;
        p -= (lr * mHat) / (Math.sqrt(vHat) + h.epsilon);
        break;
      }
      case 'rmsprop':
        s1[i] = h.rho * s1[i] + (1 - h.rho) * g * g;
        p -= (lr * g) / (Math.sqrt(s1[i]) + h.epsilon);
        break;
      case 'adagrad':
        s1[i] += g * g;
        p -= (lr * g) / (Math.sqrt(s1[i]) + h.epsilon);
        break;
    }
    params.data[i] = p;
  }
}
