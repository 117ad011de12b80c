// Kernel descriptors: the WGSL header generated from one declaration (struct fields, bindings
// with access, overrides, constants, in declared order), uniforms packed with each type's bit
// pattern, bind groups in binding order by name, and the pipeline cache keyed by the full source,
// so two sources under one kernel name never share a module.

import { afterAll, describe, expect, it } from 'vitest';
import { bool, defineKernel, f32, idConstants, orderedBindings, overrideConstants, packUniform, u32, u32Override, wgslSource } from '../../src/kernels/descriptor.js';
import { LOSSES, lossId } from '../../src/ops/names.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

const K = defineKernel({
  name: 'probe',
  body: '@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {\n  let i = flat_index(gid, groups, WG);\n  if (i < params.n) { out[i] = src[i] * params.scale + f32(params.shift) + EXTRA; }\n}',
  enables: ['f16'],
  libraries: [{ source: '// library text', constants: { LIB: u32(7) } }],
  uniform: { n: 'u32', shift: 'i32', scale: 'f32', flag: 'u32', pad: 'f32' },
  bindings: { src: 'read', out: 'read_write', tex: 'texture_read' },
  workgroupSize: 64,
  overrides: { MODE: u32Override(3), ON: bool(true) },
  constants: { EXTRA: f32(0.5) },
});

describe('kernel descriptor', () => {
  it('generates the header in declared order: directives first, then struct, bindings, overrides, constants, libraries, body', () => {
    const lines = wgslSource(K).split('\n');
    const at = (text: string) => lines.findIndex((l) => l === text);
    expect(lines[0]).toBe('enable f16;');
    expect(at('struct Params {')).toBeGreaterThan(0);
    expect(lines.slice(at('struct Params {') + 1, at('struct Params {') + 6)).toEqual(['  n: u32,', '  shift: i32,', '  scale: f32,', '  flag: u32,', '  pad: f32,']);
    expect(at('@group(0) @binding(0) var<uniform> params: Params;')).toBeGreaterThan(at('struct Params {'));
    expect(at('@group(0) @binding(1) var<storage, read> src: array<f32>;')).toBeGreaterThan(0);
    expect(at('@group(0) @binding(2) var<storage, read_write> out: array<f32>;')).toBe(at('@group(0) @binding(1) var<storage, read> src: array<f32>;') + 1);
    expect(at('@group(0) @binding(3) var tex: texture_storage_2d<rgba32float, read>;')).toBe(at('@group(0) @binding(2) var<storage, read_write> out: array<f32>;') + 1);
    expect(lines).toEqual(expect.arrayContaining(['override MODE: u32 = 3u;', 'override ON: bool = true;', 'const LIB: u32 = 7u;', 'const EXTRA: f32 = 0.5;', 'const WG: u32 = 64u;']));
    expect(at('// library text')).toBeGreaterThan(at('const WG: u32 = 64u;'));
    expect(at('@compute @workgroup_size(WG)')).toBeGreaterThan(at('// library text'));
    expect(wgslSource(K)).toBe(wgslSource(K)); // memoised per descriptor
    expect(wgslSource({ ...K, uniformVariable: 'hp' })).toContain('var<uniform> hp: Params;');
  });

  it('packs uniforms by field name with each type’s bit pattern, padded to 16 bytes', () => {
    const data = packUniform(K, { scale: 1.5, n: 0xfffffffe, shift: -3, flag: true, pad: 0 });
    expect(data.byteLength).toBe(32);
    expect(new Uint32Array(data)[0]).toBe(0xfffffffe);
    expect(new Int32Array(data)[1]).toBe(-3);
    expect(new Float32Array(data)[2]).toBe(1.5);
    expect(new Uint32Array(data)[3]).toBe(1);
    expect([...new Uint32Array(data).slice(4)]).toEqual([0, 0, 0, 0]);
    expect(() => packUniform(K, { n: 1, shift: 0, scale: 1 } as never)).toThrow(/no value for uniform field flag/);
  });

  it('orders bindings and checks overrides by the declared names', () => {
    expect(orderedBindings(K, { tex: 'c', out: 'b', src: 'a' })).toEqual(['a', 'b', 'c']);
    expect(() => orderedBindings(K, { src: 'a', out: 'b' } as never)).toThrow(/no resource for binding tex/);
    expect(overrideConstants(K, { ON: false, MODE: 2 })).toEqual({ ON: 0, MODE: 2 });
    expect(() => overrideConstants(K, { NOPE: 1 } as never)).toThrow(/no override named NOPE/);
    expect(() => defineKernel({ name: 'twice', body: '', uniform: { n: 'u32' }, bindings: { n: 'read' } })).toThrow(/"n" is declared twice/);
  });

  it("generates the op table's ids, so a shader's id is the op's index", () => {
    const ids = idConstants('LOSS', LOSSES);
    for (const name of LOSSES) expect(ids[`LOSS_${name.toUpperCase()}`]).toEqual(u32(lossId(name)));
  });

  it('caches pipelines by full source: a changed source under the same kernel name compiles anew', async () => {
    const { ctx } = await testGpu();
    const body = (scale: string) => `@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {\n  let i = flat_index(gid, groups, WG);\n  if (i < params.n) { out[i] = src[i] * ${scale}; }\n}`;
    const declare = (scale: string) => defineKernel({ name: 'same_name', body: body(scale), uniform: { n: 'u32' }, bindings: { src: 'read', out: 'read_write' }, workgroupSize: 64 });
    const a = declare('2.0');
    const before = ctx.pipelines.size;
    const p1 = await ctx.pipeline(a, 'main');
    expect(await ctx.pipeline(a, 'main')).toBe(p1);
    expect(await ctx.pipeline(declare('2.0'), 'main')).toBe(p1); // same source, another descriptor object
    const p2 = await ctx.pipeline(declare('3.0'), 'main');
    expect(p2).not.toBe(p1);
    expect(ctx.pipelines.size).toBe(before + 2);
  });
});
