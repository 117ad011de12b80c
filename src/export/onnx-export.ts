// exportOnnx: a trained Model as one ONNX graph a caller feeds raw feature rows, matching
// Model.predict: input normalization -> per layer Gemm, LayerNormalization, activation, residual
// Add -> output Gemm -> Softmax/Sigmoid (or logits) -> for regression, the inverse target scaling.
// Dropout is left out (inference). Encoded with onnx-proto; browser-safe (no node: imports).

import type { Model } from '../model/model.js';
import { LAYER_NORM_EPSILON } from '../ops/defaults.js';
import { InputError } from '../util/errors.js';
import { activationNodes } from './onnx-activations.js';
import { batchValueInfo, GraphBuilder, onnx } from './graph-builder.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../util/version.js';
import { exportNames, type ExportNames } from './metadata.js';
import { imputeValues, pipelineStatement } from './table-pipeline.js';

export const ONNX_OPSETS = [17, 20] as const;
export type OnnxOpset = (typeof ONNX_OPSETS)[number];
export type OnnxOutput = 'logits' | 'probabilities';

export interface OnnxExportOptions extends ExportNames {
  /** 17 (default, widest runtime support) or 20 (native Gelu). */
  opset?: OnnxOpset;
  /** Classification head: 'probabilities' (default, what predict returns) or raw 'logits'. */
  output?: OnnxOutput;
}

/** The graph's input name: raw (unnormalized) feature rows, [batch, inputSize]. */
export const ONNX_INPUT = 'features';

/** Keys of the metadata_props the export writes; modelFromOnnx reads them back. */
export const ONNX_META = {
  producer: LIBRARY_NAME,
  version: 'webgpu_mlp.version',
  spec: 'webgpu_mlp.spec',
  /** Exact (float64) copies of what the graph holds as f32 initializers, so a read-back loses nothing. */
  normalization: 'webgpu_mlp.normalization',
  targetScaler: 'webgpu_mlp.target_scaler',
  output: 'webgpu_mlp.output',
  featureNames: 'feature_names',
  classNames: 'class_names',
  preprocessing: 'preprocessing',
  /** The model's fitted table pipeline (one-hot vocabularies, imputation values), when it has one. */
  pipeline: 'webgpu_mlp.pipeline',
} as const;

export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!ONNX_OPSETS.includes(opset)) throw new InputError('opset', opset, `one of ${ONNX_OPSETS.join(', ')}`);
  const output = options.output ?? 'probabilities';
  if (output !== 'logits' && output !== 'probabilities') throw new InputError('output', output, 'logits or probabilities');
  if (output === 'logits' && model.spec.task === 'regression') {
    throw new InputError('output', output, 'probabilities (the default) for a regression model, whose output is always in target units');
  }
  const names = exportNames(model, options);
  const { spec } = model;
  const g = new GraphBuilder();
  g.name(ONNX_INPUT);
  const param = (name: string) => {
    const e = model.layout.entry(name);
    return g.tensor(name, e.shape, model.params.subarray(e.offset, e.offset + e.size));
  };

  let h = ONNX_INPUT;
  const pipeline = model.pipeline;
  if (pipeline) {
    // Missing cells arrive as NaN and become the training median / the mode's one-hot.
    const impute = g.tensor('input_impute', [spec.inputSize], imputeValues(pipeline));
    h = g.node('Where', [g.node('IsNaN', [h], 'missing'), impute, h], 'imputed');
  }
  const norm = model.normalizer;
  if (norm && norm.kind !== 'none') {
    // predict computes (x - offset) * scale per column, exactly this.
    const centered = g.node('Sub', [h, g.tensor('input_offset', [spec.inputSize], norm.offset)], 'centered');
    h = g.node('Mul', [centered, g.tensor('input_scale', [spec.inputSize], norm.scale)], 'normalized');
  }
  spec.hidden.forEach((layer, i) => {
    let y = g.node('Gemm', [h, param(`W${i}`), param(`b${i}`)], `dense${i}`);
    if (layer.layerNorm) {
      y = g.node('LayerNormalization', [y, param(`gamma${i}`), param(`beta${i}`)], `layer_norm${i}`, { axis: { int: -1 }, epsilon: LAYER_NORM_EPSILON });
    }
    y = activationNodes(g, { name: layer.activation, alpha: layer.alpha }, y, `act${i}`, opset);
    if (layer.residual) y = g.node('Add', [y, h], `residual${i}`);
    h = y;
  });

  const outName = spec.task === 'regression' ? 'predictions' : output;
  const logits = spec.task !== 'regression' && output === 'logits' ? outName : undefined;
  let y = g.node('Gemm', [h, param('Wout'), param('bout')], 'logits', {}, logits);
  if (spec.task === 'multiclass' && output === 'probabilities') y = g.node('Softmax', [y], outName, { axis: { int: -1 } }, outName);
  if (spec.task === 'binary' && output === 'probabilities') y = g.node('Sigmoid', [y], outName, {}, outName);
  if (spec.task === 'regression') {
    const s = model.targetScaler;
    if (s) {
      const scaled = g.node('Mul', [y, g.tensor('target_std', [spec.outputSize], s.std)], 'unscaled');
      y = g.node('Add', [scaled, g.tensor('target_mean', [spec.outputSize], s.mean)], outName, {}, outName);
    } else {
      y = g.node('Identity', [y], outName, {}, outName);
    }
  }

  const meta: Record<string, string> = {
    [ONNX_META.version]: LIBRARY_VERSION,
    [ONNX_META.spec]: JSON.stringify(spec),
    [ONNX_META.normalization]: JSON.stringify(norm ?? null),
    [ONNX_META.targetScaler]: JSON.stringify(model.targetScaler ?? null),
    [ONNX_META.output]: outName,
    [ONNX_META.preprocessing]: pipeline
      ? pipelineStatement(pipeline)
      : 'input normalization is inside the graph: feed raw feature values, float32, columns in feature_names order',
  };
  if (pipeline) meta[ONNX_META.pipeline] = JSON.stringify(pipeline);
  if (names.featureNames) meta[ONNX_META.featureNames] = JSON.stringify(names.featureNames);
  if (names.classNames) meta[ONNX_META.classNames] = JSON.stringify(names.classNames);

  const outputDoc =
    spec.task === 'regression' ? 'predicted targets in the training targets\' units'
    : output === 'logits' ? 'raw logits (apply softmax/sigmoid for probabilities)'
    : spec.task === 'binary' ? 'P(class 1)' : 'class probabilities (softmax)';
  const proto = onnx.ModelProto.create({
    irVersion: opset >= 20 ? 9 : 8,
    producerName: ONNX_META.producer,
    producerVersion: LIBRARY_VERSION,
    docString: `webgpu-mlp ${spec.task} MLP ${[spec.inputSize, ...spec.hidden.map((l) => l.units), spec.outputSize].join('-')}`,
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'webgpu_mlp',
      node: g.nodes,
      initializer: g.initializers,
      input: [batchValueInfo(ONNX_INPUT, spec.inputSize, pipeline ? 'encoded table rows (see metadata "preprocessing"); NaN marks a missing cell' : 'raw feature rows (normalization is part of the graph)')],
      output: [batchValueInfo(outName, spec.outputSize, outputDoc)],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
