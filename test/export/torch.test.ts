// The PyTorch round trip with Debian's torch: exportTorch's model.safetensors + generated model.py
// predict what Model.predict does (all 11 activations, three heads, layer norm, residuals,
// dropout, each normalization) within 1e-5 relative; a network trained in PyTorch imports with
// importTorch and predicts what PyTorch does; and mismatched specs fail with InputErrors.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, decodeSafetensors, type TensorMap } from '../../src/io/safetensors.js';
import { exportTorch, importTorch, TORCH_WEIGHTS_FILE } from '../../src/export/index.js';
import type { Model } from '../../src/model/model.js';
import type { HiddenLayerSpec } from '../../src/model/spec.js';
import { ACTIVATIONS } from '../../src/ops/names.js';
import { InputError } from '../../src/util/errors.js';
import { predictTable } from '../../src/train/predict-table.js';
import { readCsvTable } from '../../src/data/table/read.js';
import { runPython, skipTorch, torchVersion } from './python.js';
import { DEEP, maxRelDiff, randomInputs, randomModel, rowsWithGaps, spec, TABLE_PIPELINE } from './support.js';

const TOL = 1e-5;
const ROWS = 29;
const dir = mkdtempSync(join(tmpdir(), 'webgpu-mlp-torch-'));
const measured: Record<string, number> = {};

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (Object.keys(measured).length) console.log(`[torch ${torchVersion}] max relative difference: ${JSON.stringify(measured)}`);
});

/** Loads each exported directory's model.py in one Python process and predicts its x.f32 rows. */
const PREDICT_ALL = `
import importlib.util, sys, numpy as np
for i, d in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"exported{i}", d + "/model.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    net, info = mod.load()
    x = np.fromfile(d + "/x.f32", dtype="<f4").reshape(-1, info["spec"]["inputSize"])
    mod.predict(net, info, x).astype("<f4").tofile(d + "/y.f32")
`;

function writeExport(name: string, model: Model): string {
  const out = join(dir, name.replace(/[^a-z0-9]+/gi, '_'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  for (const [file, data] of Object.entries(exportTorch(model))) writeFileSync(join(out, file), data);
  return out;
}

/** A little-endian f32 file as a fresh array (Buffers may sit at an offset in a shared pool). */
function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe.skipIf(skipTorch)('export to PyTorch', () => {
  const cases: [string, Model][] = [];
  for (const a of ACTIVATIONS) cases.push([a, randomModel(spec([{ units: 9, activation: a }, { units: 6, activation: a }], 'regression', 3), 11)]);
  cases.push(['leaky_relu alpha 0.2', randomModel(spec([{ units: 9, activation: 'leaky_relu', alpha: 0.2 }]), 12)]);
  cases.push(['elu alpha 0.7', randomModel(spec([{ units: 9, activation: 'elu', alpha: 0.7 }]), 13)]);
  cases.push(['binary', randomModel(spec([{ units: 8, activation: 'relu' }], 'binary', 1), 22)]);
  cases.push(['multiclass', randomModel(spec([{ units: 8, activation: 'silu' }], 'multiclass', 4), 23)]);
  const deep = DEEP;
  cases.push(['layerNorm+residual+dropout', randomModel(deep, 31)]);
  for (const kind of ['none', 'minmax', 'zscore'] as const) cases.push([`normalize ${kind}`, randomModel(spec([{ units: 7, activation: 'softplus' }], 'regression', 1), 41, kind)]);
  for (const [, m] of cases.slice(0, ACTIVATIONS.length)) m.targetScaler = undefined; // raw outputs: the most sensitive check

  it('model.py predicts what Model.predict does, for every case', async () => {
    const dirs = cases.map(([name, model]) => {
      const d = writeExport(name, model);
      writeFileSync(join(d, 'x.f32'), randomInputs(ROWS, model.spec.inputSize, 77));
      return d;
    });
    runPython(PREDICT_ALL, dirs);
    for (let i = 0; i < cases.length; i++) {
      const [name, model] = cases[i];
      const ours = await model.predict(randomInputs(ROWS, model.spec.inputSize, 77), { backend: 'cpu' });
      const theirs = readF32(join(dirs[i], 'y.f32'));
      const diff = maxRelDiff(theirs, ours);
      measured[name] = Number(diff.toPrecision(2));
      expect(diff, name).toBeLessThanOrEqual(TOL);
    }
  });

  it('with a table pipeline, model.py imputes NaN cells as predict would', async () => {
    const model = Object.assign(randomModel(spec([{ units: 8, activation: 'relu' }], 'multiclass', 3), 71), { pipeline: TABLE_PIPELINE });
    const d = writeExport('pipeline', model);
    const { gaps, imputed } = rowsWithGaps(6, 5);
    writeFileSync(join(d, 'x.f32'), gaps);
    runPython(PREDICT_ALL, [d]);
    const diff = maxRelDiff(readF32(join(d, 'y.f32')), await model.predict(imputed, { backend: 'cpu' }));
    measured['table pipeline'] = Number(diff.toPrecision(2));
    expect(diff).toBeLessThanOrEqual(TOL);
  });

  it('with a table pipeline, model.py reads a CSV by column name as predictTable does', async () => {
    const model = Object.assign(randomModel(spec([{ units: 8, activation: 'relu' }], 'multiclass', 3), 72), { pipeline: TABLE_PIPELINE });
    const d = writeExport('pipeline csv', model);
    // Columns shuffled, the label and an unknown column present, a quoted cell, NA and empty cells, an unseen category ("w").
    const text = ['species,b,extra,c,a', 'adelie,0.5,1,x,2', 'gentoo,-1,2,"z",NA', ',NA,3,y,0.25', 'x,3.5,4,,1', 'y,2,5,w,-0.5'].join('\n') + '\n';
    writeFileSync(join(d, 'rows.csv'), text);
    runPython('import runpy, sys; d = sys.argv[1]; sys.argv = [d + "/model.py", d + "/rows.csv", d + "/out.csv"]; runpy.run_path(sys.argv[0], run_name="__main__")', [d]);
    const [header, ...lines] = readFileSync(join(d, 'out.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('adelie,gentoo,chinstrap');
    const theirs = new Float32Array(lines.flatMap((l) => l.split(',').map(Number)));
    const ours = await predictTable(model, readCsvTable(text), { backend: 'cpu' });
    expect(ours.report.unseen).toEqual({ c: { count: 1, examples: ['w'] } });
    expect(theirs.length).toBe(5 * 3);
    const diff = maxRelDiff(theirs, ours.outputs);
    measured['table pipeline, raw CSV'] = Number(diff.toPrecision(2));
    expect(diff).toBeLessThanOrEqual(TOL);
  });

  it('writes nn.Sequential names and [out, in] Linear weights', () => {
    const model = cases[cases.length - 4][1];
    const { tensors } = decodeSafetensors(exportTorch(model)[TORCH_WEIGHTS_FILE] as Uint8Array);
    expect(Object.keys(tensors).sort()).toEqual(
      ['0.weight', '0.bias', '1.weight', '1.bias', '3.0.weight', '3.0.bias', '3.1.weight', '3.1.bias', '4.0.weight', '4.0.bias', '5.weight', '5.bias', '6.weight', '6.bias', '9.weight', '9.bias'].sort(),
    );
    expect(tensors['0.weight'].shape).toEqual([8, 5]);
    const W0 = model.layout.entry('W0');
    // ours [in, out] row-major: W0[i=1, o=2] is at 1 * 8 + 2; PyTorch's [out, in]: [2, 1] at 2 * 5 + 1.
    expect(tensors['0.weight'].data[2 * 5 + 1]).toBe(model.params[W0.offset + 1 * 8 + 2]);
  });

  it('export -> model.py save -> importTorch gives back the same weights and preprocessing', () => {
    const [, model] = cases[cases.length - 4];
    const d = writeExport('roundtrip', model);
    runPython(`import sys; sys.path.insert(0, "${d}"); import model as m; net, info = m.load(); m.save(net, info, "${d}/again.safetensors")`);
    const back = importTorch(readFileSync(join(d, 'again.safetensors')));
    expect(back.spec).toEqual(model.spec);
    expect(back.params).toEqual(model.params);
    expect(back.normalizer).toEqual(model.normalizer);
  });
});

/** Trains nn.Sequential(Linear, LayerNorm, Tanh, Linear, ReLU, Dropout, Linear) on seeded data; saves weights (via a user's own writer), x and PyTorch's probabilities. */
const TRAIN = `
import json, struct, sys, torch
from torch import nn
out = sys.argv[1]
torch.manual_seed(0)
x = torch.randn(256, 6)
y = (x[:, 0] * 2 + x[:, 1] - x[:, 2] > 0).long() + (x[:, 3] > 1).long()
net = nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 12), nn.ReLU(), nn.Dropout(0.2), nn.Linear(12, 3))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(150):
    opt.zero_grad(); loss = nn.functional.cross_entropy(net(x), y); loss.backward(); opt.step()
net.eval()
def save(path, sd):
    header, blobs, off = {}, [], 0
    for k, v in sd.items():
        b = v.detach().numpy().astype("<f4").tobytes(); header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}; blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
save(out + "/trained.safetensors", net.state_dict())
xt = torch.randn(41, 6)
xt.numpy().astype("<f4").tofile(out + "/xt.f32")
with torch.no_grad(): torch.softmax(net(xt), -1).numpy().astype("<f4").tofile(out + "/pt.f32")
print(float(loss))
`;

describe.skipIf(skipTorch)('import from PyTorch', () => {
  const hidden: HiddenLayerSpec[] = [{ units: 16, activation: 'tanh', layerNorm: true }, { units: 12, activation: 'relu', dropout: 0.2 }];
  let bytes: Uint8Array;

  it('a network trained in PyTorch predicts what PyTorch predicts', async () => {
    const loss = Number(runPython(TRAIN, [dir]));
    expect(loss).toBeLessThan(0.5); // it really trained
    bytes = readFileSync(join(dir, 'trained.safetensors'));
    const model = importTorch(bytes, { hidden, task: 'multiclass' });
    expect(model.spec.inputSize).toBe(6);
    expect(model.spec.outputSize).toBe(3);
    const x = readF32(join(dir, 'xt.f32'));
    const theirs = readF32(join(dir, 'pt.f32'));
    const ours = await model.predict(x, { backend: 'cpu' });
    const diff = maxRelDiff(ours, theirs);
    measured['import (trained in PyTorch)'] = Number(diff.toPrecision(2));
    expect(diff).toBeLessThanOrEqual(TOL);
  });

  it('strips the "module." prefix DistributedDataParallel adds, or a given prefix', () => {
    const { tensors } = decodeSafetensors(bytes);
    const prefixed = (p: string) => encodeSafetensors(Object.fromEntries(Object.entries(tensors).map(([k, v]) => [p + k, v])) as TensorMap);
    const plain = importTorch(bytes, { hidden, task: 'multiclass' });
    expect(importTorch(prefixed('module.'), { hidden, task: 'multiclass' }).params).toEqual(plain.params);
    expect(importTorch(prefixed('net.'), { hidden, task: 'multiclass' }, { prefix: 'net.' }).params).toEqual(plain.params);
  });

  it('names the tensor and the expectation when the spec does not match', () => {
    const task = 'multiclass' as const;
    expect(() => importTorch(bytes, { hidden: [{ ...hidden[0], layerNorm: false }, hidden[1]], task })).toThrow(/tensor "5.weight": got "missing", expected the weight of the output Linear layer.*layerNorm/);
    expect(() => importTorch(bytes, { hidden: [hidden[0], { ...hidden[1], units: 10 }], task })).toThrow(/tensor "3.weight": got "\[12, 16\]", expected \[10, 16\] for the Linear of hidden\[1\] \(10 units\)/);
    expect(() => importTorch(bytes, { hidden: [hidden[0], { ...hidden[1], dropout: 0 }], task })).toThrow(/tensor "5.weight": got "missing"/);
    expect(() => importTorch(bytes, { hidden: [hidden[0]], task })).toThrow(InputError);
    expect(() => importTorch(bytes, { hidden, task, inputSize: 7 })).toThrow(/spec.inputSize: got 7, expected 6/);
    expect(() => importTorch(bytes, { hidden, task: 'binary' })).toThrow(/outputSize: got 3, expected 1/);
    expect(() => importTorch(bytes)).toThrow(/spec: got undefined/);
    expect(() => importTorch(bytes, { hidden, task }, { prefix: 'net.' })).toThrow(/prefix "net."/);
  });
});
