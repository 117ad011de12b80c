// Turns a ModelSpec into graph nodes for a given batch size: the forward chain of dense, layer
// norm, activation, dropout and residual nodes, and the parameter layout they share. Tensor ids
// do not depend on the batch size, so every batch shape's program binds the same buffers. For a
// model batch the nodes carry the models' differing activations and dropout rates as perModel values.

import type { ModelSpec } from '../types/model-spec.js';
import { SCALARS_LENGTH } from '../ops/args.js';
import type { GraphNode } from './nodes.js';
import { activationNode, denseNode, dropoutNode, layerNormNode, residualNode } from './nodes.js';
import { layerActivations, layerDropout, type ModelBatch } from './model-batch.js';
import { ParamLayout } from './params.js';
import type { TensorRef } from './program.js';
import { ref } from './program.js';

export interface ModelGraph {
  readonly nodes: GraphNode[];
  readonly input: TensorRef;
  readonly logits: TensorRef;
  readonly layout: ParamLayout;
  readonly scalars: TensorRef;
  /** Outputs of hidden layers, for diagnostics (dead units, activations). */
  readonly hiddenOutputs: { layer: number; activation: string; tensor: TensorRef }[];
  /** Weight-gradient tensor per dense layer, for per-layer gradient norms. */
  readonly weightGrads: { layer: number; tensor: TensorRef }[];
}

/** Parameter declarations in layer order; the layout puts decayed weights first. */
export function paramLayoutFor(spec: ModelSpec): ParamLayout {
  const decls: { name: string; shape: number[]; decay: boolean }[] = [];
  let width = spec.inputSize;
  spec.hidden.forEach((layer, i) => {
    decls.push({ name: `W${i}`, shape: [width, layer.units], decay: true });
    decls.push({ name: `b${i}`, shape: [layer.units], decay: false });
    if (layer.layerNorm) {
      decls.push({ name: `gamma${i}`, shape: [layer.units], decay: false });
      decls.push({ name: `beta${i}`, shape: [layer.units], decay: false });
    }
    width = layer.units;
  });
  decls.push({ name: 'Wout', shape: [width, spec.outputSize], decay: true });
  decls.push({ name: 'bout', shape: [spec.outputSize], decay: false });
  return new ParamLayout(decls);
}

/** Dropout seed of hidden layer `layer` in a model whose session seed is `seed`. */
export function dropoutLayerSeed(seed: number, layer: number): number {
  return (seed + layer * 7919) >>> 0;
}

export function buildModelGraph(spec: ModelSpec, batch: number, layout = paramLayoutFor(spec), dropoutSeed = 0, models?: ModelBatch): ModelGraph {
  const act = (id: string, cols: number) => ref(`act:${id}`, 'activation', [batch, cols]);
  const scalars = ref('scalars', 'scalars', [SCALARS_LENGTH]);
  // The gathered batch is one tensor for all models unless each model reads its own row order.
  const input = ref('batch:x', 'activation', [batch, spec.inputSize], Boolean(models && !models.perModelOrder));
  const nodes: GraphNode[] = [];
  const hiddenOutputs: ModelGraph['hiddenOutputs'] = [];
  const weightGrads: ModelGraph['weightGrads'] = [];
  let h = input;

  spec.hidden.forEach((layer, i) => {
    const activation = { name: layer.activation, alpha: layer.alpha };
    const perModel = layerActivations(models, i);
    // A model batch keeps the pre-activation when any of its models has a real activation here.
    const identity = activation.name === 'identity' && !perModel;
    const u = layer.units;
    const W = layout.param(`W${i}`);
    const b = layout.param(`b${i}`);
    weightGrads.push({ layer: i, tensor: layout.grad(`W${i}`) });
    let y: TensorRef;
    if (layer.layerNorm) {
      const z = act(`z${i}`, u);
      nodes.push(denseNode(`dense${i}`, h, W, b, layout.grad(`W${i}`), layout.grad(`b${i}`), z, undefined, { name: 'identity' }));
      const n = act(`ln${i}`, u);
      nodes.push(
        layerNormNode(`layerNorm${i}`, z, layout.param(`gamma${i}`), layout.param(`beta${i}`), layout.grad(`gamma${i}`), layout.grad(`beta${i}`), n,
          ref(`act:lnMean${i}`, 'activation', [batch]), ref(`act:lnRstd${i}`, 'activation', [batch])),
      );
      y = act(`a${i}`, u);
      nodes.push(activationNode(`activation${i}`, n, y, activation, perModel));
    } else {
      y = act(`a${i}`, u);
      const z = identity ? undefined : act(`z${i}`, u);
      nodes.push(denseNode(`dense${i}`, h, W, b, layout.grad(`W${i}`), layout.grad(`b${i}`), y, z, activation, perModel));
    }
    hiddenOutputs.push({ layer: i, activation: layer.activation, tensor: y });
    const dropout = layerDropout(spec, models, i);
    if (dropout > 0) {
      const d = act(`drop${i}`, u);
      const perModelDropout = models && { p: models.specs.map((s) => s.hidden[i].dropout ?? 0), seed: models.dropoutSeeds.map((seed) => dropoutLayerSeed(seed, i)) };
      nodes.push(dropoutNode(`dropout${i}`, y, d, layer.dropout ?? 0, dropoutLayerSeed(dropoutSeed, i), scalars, perModelDropout));
      y = d;
    }
    if (layer.residual) {
      const r = act(`res${i}`, u);
      nodes.push(residualNode(`residual${i}`, y, h, r));
      y = r;
    }
    h = y;
  });

  const logits = act('logits', spec.outputSize);
  weightGrads.push({ layer: spec.hidden.length, tensor: layout.grad('Wout') });
  nodes.push(denseNode('output', h, layout.param('Wout'), layout.param('bout'), layout.grad('Wout'), layout.grad('bout'), logits, undefined, { name: 'identity' }));
  return { nodes, input, logits, layout, scalars, hiddenOutputs, weightGrads };
}
