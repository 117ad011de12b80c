// The activation library (shaders/activations.wgsl) as a WGSL library for kernel descriptors: its
// ids and SELU constants are generated from the op table (src/ops), so a shader's switch on an
// activation id cannot disagree with activationId().

import activationsWgsl from '../../shaders/activations.wgsl?raw';
import { SELU_ALPHA, SELU_SCALE } from '../ops/defaults.js';
import { ACTIVATIONS } from '../ops/names.js';
import { f32, idConstants, type WgslLibrary } from './descriptor.js';

export const ACTIVATION_LIBRARY: WgslLibrary = {
  source: activationsWgsl,
  constants: { ...idConstants('ACT', ACTIVATIONS), SELU_ALPHA: f32(SELU_ALPHA), SELU_SCALE: f32(SELU_SCALE) },
};
