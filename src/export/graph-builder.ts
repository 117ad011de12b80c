// A small builder for an ONNX GraphProto: named nodes with typed attributes, float32 initializers
// (raw little-endian data) and shared scalar constants. Names are made unique here so the exporter
// can say what it means ("dense0") without tracking counters. Browser-safe.

import { ATTR, FLOAT, onnx, type OnnxTypes } from './onnx-proto.js';

export type AttrValue = number | string | { int: number };

export class GraphBuilder {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<number, string>();

  /** A fresh value name starting with `base`. */
  name(base: string): string {
    const n = this.free(base);
    this.used.add(n);
    return n;
  }

  private free(base: string): string {
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    return n;
  }

  /** Adds a node; returns its (single) output name. Numbers become FLOAT attributes unless wrapped as {int}. */
  node(opType: string, inputs: string[], outputBase: string, attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.name(outputBase);
    if (output) this.used.add(output);
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
      if (typeof v === 'number') return { name, type: ATTR.FLOAT, f: v };
      return { name, type: ATTR.INT, i: v.int };
    });
    this.nodes.push({ opType, input: inputs, output: [out], name: this.name(`${outputBase}_${opType}`), attribute });
    return out;
  }

  /** A float32 initializer with the given shape ([] for a scalar). */
  tensor(name: string, shape: readonly number[], data: ArrayLike<number>): string {
    if (this.used.has(name)) throw new Error(`duplicate initializer ${name}`);
    this.used.add(name);
    const f32 = Float32Array.from(data);
    const raw = new Uint8Array(f32.byteLength);
    const view = new DataView(raw.buffer);
    f32.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.initializers.push({ name, dims: [...shape], dataType: FLOAT, rawData: raw });
    return name;
  }

  /** A scalar constant, shared by every node that needs the same value. */
  scalar(value: number): string {
    const f = Math.fround(value);
    let name = this.scalars.get(f);
    if (!name) {
      name = this.tensor(this.free(`const_${String(f).replace(/[^0-9a-z]/gi, '_')}`), [], [f]);
      this.scalars.set(f, name);
    }
    return name;
  }
}

/** A float tensor value info with a symbolic batch dimension. */
export function batchValueInfo(name: string, width: number, doc: string): OnnxTypes.IValueInfoProto {
  return { name, docString: doc, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } };
}

export { onnx };
