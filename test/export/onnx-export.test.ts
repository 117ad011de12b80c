// exportOnnx verified by ONNX Runtime (onnxruntime-web's wasm build in Node): every activation
// (opset 17 decompositions and opset 20's native Gelu), every task head with probabilities and
// logits, layer norm, residuals, dropout left out, and each normalization kind give what
// Model.predict gives (cpu backend, plus one WebGPU case) within 1e-5 relative on seeded inputs.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { releaseSharedGpu } from '../../src/backend/select.js';
import { exportOnnx, modelFromOnnx, ONNX_META, type OnnxExportOptions } from '../../src/export/index.js';
import { LIBRARY_VERSION } from '../../src/util/version.js';
import type { Model } from '../../src/model/model.js';
import type { HiddenLayerSpec } from '../../src/model/spec.js';
import { ACTIVATIONS } from '../../src/ops/names.js';
import { SELU_ALPHA, SELU_SCALE } from '../../src/reference/activations.js';
import { InputError } from '../../src/util/errors.js';
import { DEEP, maxRelDiff, randomInputs, randomModel, rowsWithGaps, runOnnx, spec, TABLE_PIPELINE } from './support.js';

const TOL = 1e-5;
const ROWS = 37;
const measured: Record<string, number> = {};

afterAll(async () => {
  await releaseSharedGpu();
  console.log(`[onnx export] max relative difference vs predict: ${JSON.stringify(measured)}`);
});

/** Exports, runs in ORT on seeded rows, and checks against predict; returns ORT's output. */
async function expectMatch(label: string, model: Model, options: OnnxExportOptions = {}, backend: 'cpu' | 'webgpu' = 'cpu', map?: (y: Float32Array) => Float32Array): Promise<Float32Array> {
  const x = randomInputs(ROWS, model.spec.inputSize, 77);
  const ours = await model.predict(x, { backend });
  const onnx = await runOnnx(exportOnnx(model, options), x, model.spec.inputSize);
  expect(onnx.dims).toEqual([ROWS, model.spec.outputSize]);
  const got = map ? map(onnx.data) : onnx.data;
  const diff = maxRelDiff(got, ours);
  measured[label] = Number(diff.toPrecision(2));
  expect(diff, label).toBeLessThanOrEqual(TOL);
  return onnx.data;
}

describe('activations (raw regression outputs, no target scaling)', () => {
  const cases: [string, HiddenLayerSpec][] = ACTIVATIONS.map((a) => [a, { units: 9, activation: a }]);
  cases.push(['leaky_relu alpha 0.2', { units: 9, activation: 'leaky_relu', alpha: 0.2 }], ['elu alpha 0.7', { units: 9, activation: 'elu', alpha: 0.7 }]);
  for (const opset of [17, 20] as const) {
    it.each(cases)(`opset ${opset}: %s`, async (name, layer) => {
      const model = randomModel(spec([layer, { ...layer, units: 6 }], 'regression', 3), 11);
      model.targetScaler = undefined;
      await expectMatch(`${name} @${opset}`, model, { opset });
    });
  }

  it('uses native Gelu only at opset 20, and decomposes it exactly at 17', () => {
    const model = randomModel(spec([{ units: 4, activation: 'gelu' }, { units: 4, activation: 'gelu_tanh' }]), 3);
    const ops = (opset: 17 | 20) => onnxProto.onnx.ModelProto.decode(exportOnnx(model, { opset })).graph!.node!.map((n) => n.opType);
    expect(ops(17)).not.toContain('Gelu');
    expect(ops(17)).toContain('Erf');
    expect(ops(20).filter((o) => o === 'Gelu')).toHaveLength(2);
  });

  it("writes float attributes, and Selu's are our constants (ONNX's defaults are the same, rounded to f32)", () => {
    const model = randomModel(spec([{ units: 4, activation: 'selu' }, { units: 4, activation: 'elu', alpha: 1 }]), 3);
    const nodes = onnxProto.onnx.ModelProto.decode(exportOnnx(model)).graph!.node!;
    const selu = nodes.find((n) => n.opType === 'Selu')!;
    const attr = (n: typeof selu, name: string) => n.attribute!.find((a) => a.name === name)!;
    expect(attr(selu, 'alpha').type).toBe(onnxProto.onnx.AttributeProto.AttributeType.FLOAT);
    expect(attr(selu, 'alpha').f).toBe(Math.fround(SELU_ALPHA));
    expect(attr(selu, 'gamma').f).toBe(Math.fround(SELU_SCALE));
    // The ONNX operator spec's defaults: alpha 1.67326319217681884765625, gamma 1.05070102214813232421875.
    expect(Math.fround(SELU_ALPHA)).toBe(1.67326319217681884765625);
    expect(Math.fround(SELU_SCALE)).toBe(1.05070102214813232421875);
    expect(attr(nodes.find((n) => n.opType === 'Elu')!, 'alpha').type).toBe(onnxProto.onnx.AttributeProto.AttributeType.FLOAT);
  });
});

describe('task heads', () => {
  it('regression: inverse target scaling inside the graph', async () => {
    await expectMatch('regression', randomModel(spec([{ units: 8, activation: 'tanh' }], 'regression', 2), 21));
  });

  it('binary: probabilities, and logits whose sigmoid is predict', async () => {
    const model = randomModel(spec([{ units: 8, activation: 'relu' }], 'binary', 1), 22);
    await expectMatch('binary probabilities', model);
    const sigmoid = (y: Float32Array) => y.map((v) => 1 / (1 + Math.exp(-v)));
    await expectMatch('binary logits', model, { output: 'logits' }, 'cpu', sigmoid);
  });

  it('multiclass: probabilities, and logits whose softmax is predict', async () => {
    const model = randomModel(spec([{ units: 8, activation: 'silu' }], 'multiclass', 4), 23);
    const probs = await expectMatch('multiclass probabilities', model);
    for (let r = 0; r < ROWS; r++) expect(probs.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    await expectMatch('multiclass logits', model, { output: 'logits' }, 'cpu', softmaxRows(4));
  });
});

describe('layer norm, residuals, dropout, normalization', () => {
  const deep = DEEP;

  it('layer norm with random affine parameters, residual adds, dropout omitted', async () => {
    await expectMatch('layerNorm+residual', randomModel(deep, 31));
  });

  for (const kind of ['none', 'minmax', 'zscore'] as const) {
    it(`normalization ${kind}`, async () => {
      await expectMatch(`normalize ${kind}`, randomModel(spec([{ units: 7, activation: 'softplus' }], 'regression', 1), 41, kind));
    });
  }

  it('a model that was never fitted (no normalizer or target scaler)', async () => {
    const model = randomModel(spec([{ units: 7, activation: 'relu' }], 'regression', 1), 42);
    model.normalizer = undefined;
    model.targetScaler = undefined;
    await expectMatch('no preprocessing', model);
  });

  it('equals WebGPU predict too', async () => {
    await expectMatch('webgpu deep', randomModel(deep, 32), {}, 'webgpu');
  });
});

describe('graph interface', () => {
  const model = randomModel(spec([{ units: 6, activation: 'relu' }], 'multiclass', 3, 4), 51);

  it('has a dynamic batch dimension, named input/output and metadata_props', async () => {
    const bytes = exportOnnx(model, { featureNames: ['a', 'b', 'c', 'd'], classNames: ['x', 'y', 'z'] });
    const proto = onnxProto.onnx.ModelProto.decode(bytes);
    const dims = (v: onnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(proto.graph!.input!.map((v) => v.name)).toEqual(['features']);
    expect(dims(proto.graph!.input![0])).toEqual(['batch', 4]);
    expect(proto.graph!.output!.map((v) => v.name)).toEqual(['probabilities']);
    expect(dims(proto.graph!.output![0])).toEqual(['batch', 3]);
    const meta = Object.fromEntries(proto.metadataProps!.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.feature_names)).toEqual(['a', 'b', 'c', 'd']);
    expect(JSON.parse(meta.class_names)).toEqual(['x', 'y', 'z']);
    expect(meta[ONNX_META.version]).toBe(LIBRARY_VERSION);
    expect(JSON.parse(meta[ONNX_META.spec]).hidden).toEqual(model.spec.hidden);
    expect(Number(proto.opsetImport![0].version)).toBe(17);
    for (const rows of [1, 5]) {
      const out = await runOnnx(bytes, randomInputs(rows, 4, rows), 4);
      expect(out.dims).toEqual([rows, 3]);
    }
  });

  it('LIBRARY_VERSION is package.json version', () => {
    expect(LIBRARY_VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('refuses bad options with an InputError naming the field', () => {
    expect(() => exportOnnx(model, { opset: 18 as never })).toThrow(/opset: got 18, expected one of 17, 20/);
    expect(() => exportOnnx(model, { output: 'scores' as never })).toThrow(InputError);
    expect(() => exportOnnx(model, { classNames: ['x'] })).toThrow(/classNames.length: got 1, expected 3/);
    expect(() => exportOnnx(model, { featureNames: ['a'] })).toThrow(/featureNames.length/);
    const reg = randomModel(spec([{ units: 3, activation: 'relu' }]), 1);
    expect(() => exportOnnx(reg, { output: 'logits' })).toThrow(/output: got "logits", expected probabilities/);
  });
});

describe('a table pipeline (one-hot, imputation) saved with the model', () => {
  it('imputes NaN cells inside the graph, and the metadata names the encoded inputs and classes', async () => {
    const model = Object.assign(randomModel(spec([{ units: 8, activation: 'relu' }], 'multiclass', 3), 71), { pipeline: TABLE_PIPELINE });
    const bytes = exportOnnx(model);
    const { gaps, imputed } = rowsWithGaps(6, 5);
    const out = await runOnnx(bytes, gaps, 5);
    const diff = maxRelDiff(out.data, await model.predict(imputed, { backend: 'cpu' }));
    measured['table pipeline'] = Number(diff.toPrecision(2));
    expect(diff).toBeLessThanOrEqual(TOL);
    const meta = Object.fromEntries(onnxProto.onnx.ModelProto.decode(bytes).metadataProps!.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.feature_names)).toEqual(['a', 'c=x', 'c=y', 'c=z', 'b']);
    expect(JSON.parse(meta.class_names)).toEqual(['adelie', 'gentoo', 'chinstrap']);
    expect(meta.preprocessing).toMatch(/categorical column \(c\) one-hot.*feed NaN/);
    expect(JSON.parse(meta[ONNX_META.pipeline])).toEqual(TABLE_PIPELINE);
    expect((modelFromOnnx(bytes) as { pipeline?: unknown }).pipeline).toEqual(TABLE_PIPELINE);
  });
});

describe('modelFromOnnx (the demo loads our own exports back)', () => {
  it('gives back the same spec, weights and preprocessing, so predict is identical', async () => {
    for (const task of ['regression', 'multiclass'] as const) {
      const model = randomModel(spec([{ units: 8, activation: 'gelu', layerNorm: true }, { units: 8, activation: 'elu', alpha: 0.5, residual: true, dropout: 0.2 }], task, 3), 61);
      const back = modelFromOnnx(exportOnnx(model, { output: task === 'regression' ? 'probabilities' : 'logits' }));
      expect(back.spec).toEqual(model.spec);
      expect(back.params).toEqual(model.params);
      expect(back.normalizer).toEqual(model.normalizer);
      expect(back.targetScaler).toEqual(model.targetScaler);
      const x = randomInputs(9, 5, 3);
      expect(await back.predict(x, { backend: 'cpu' })).toEqual(await model.predict(x, { backend: 'cpu' }));
    }
  });

  it('refuses files that are not ONNX, or not ours', () => {
    expect(() => modelFromOnnx(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/model.onnx: got "5 bytes", expected an ONNX model file/);
    const other = onnxProto.onnx.ModelProto.encode({ producerName: 'pytorch', graph: { name: 'g' } }).finish();
    expect(() => modelFromOnnx(other, 'their.onnx')).toThrow(/their.onnx producer: got "pytorch", expected "webgpu-mlp"/);
  });
});

function softmaxRows(width: number): (y: Float32Array) => Float32Array {
  return (y) => {
    const out = new Float32Array(y.length);
    for (let r = 0; r < y.length / width; r++) {
      const row = Array.from(y.subarray(r * width, (r + 1) * width));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b);
      e.forEach((v, c) => (out[r * width + c] = v / s));
    }
    return out;
  };
}
