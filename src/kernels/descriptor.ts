// Each kernel declared once: a descriptor lists its uniform fields (with types), its bindings (with
// access modes), its workgroup size, override constants and shared constants. The WGSL header
// (uniform struct, @binding lines, constants, flat-index helper) is generated from it, and the TS
// side packs uniforms and bind groups by name in the declared order, so nothing is kept equal by hand.
// Every kernel can run a model batch: the header adds each storage binding's model stride to the
// uniform and `enter_model(z)`, which sets `base_<binding>` to where model z's slice starts.

export type WgslScalar = 'u32' | 'i32' | 'f32';

/** How a binding is declared: a storage buffer of f32 (read or read_write), or an rgba32float storage texture read by textureLoad. */
export type Access = 'read' | 'read_write' | 'texture_read';

/** A declaration's entries in the order written (string keys keep insertion order; integer-like names are refused). */
type Ordered<T> = Readonly<Record<string, T>>;

/** A pipeline-overridable constant with its default. */
export interface OverrideDecl {
  readonly type: 'u32' | 'bool';
  readonly default: number | boolean;
}

/** A module-scope `const` the header declares (ids, slots, sizes the TS side also uses). */
export interface WgslConst {
  readonly type: WgslScalar;
  readonly value: number;
}
export type WgslConstants = Readonly<Record<string, WgslConst>>;

export const u32 = (value: number): WgslConst => ({ type: 'u32', value });
export const f32 = (value: number): WgslConst => ({ type: 'f32', value });

/** `PREFIX_NAME` = index for each name of a closed list (the op table's ids, which shaders switch on). */
export function idConstants(prefix: string, names: readonly string[]): WgslConstants {
  return Object.fromEntries(names.map((name, i) => [`${prefix}_${name.toUpperCase()}`, u32(i)]));
}

/** WGSL shared by several kernels (the activation functions), with the constants it reads. */
export interface WgslLibrary {
  readonly source: string;
  readonly constants?: WgslConstants;
}

export interface KernelDescriptor {
  /** Names the kernel in labels and compile errors (its body is shaders/<name>.wgsl or a part of it). */
  readonly name: string;
  /** The kernel's WGSL without any of the declarations generated from this descriptor. */
  readonly body: string;
  readonly enables?: readonly string[];
  readonly libraries?: readonly WgslLibrary[];
  /** Binding 0: a uniform struct of these 32-bit fields, in this order. */
  readonly uniform: Ordered<WgslScalar>;
  /** The uniform's variable name in WGSL (default `params`). */
  readonly uniformVariable?: string;
  /** Bindings 1, 2, ... in this order, each with its access. */
  readonly bindings: Ordered<Access>;
  /** Declared as `const WG`; leave out where WG is an override (its size picked per pipeline). */
  readonly workgroupSize?: number;
  readonly overrides?: Ordered<OverrideDecl>;
  readonly constants?: WgslConstants;
}

export type FieldName<D extends KernelDescriptor> = keyof D['uniform'] & string;
export type BindingName<D extends KernelDescriptor> = keyof D['bindings'] & string;
export type OverrideName<D extends KernelDescriptor> = keyof NonNullable<D['overrides']> & string;

export type UniformValues<D extends KernelDescriptor> = Readonly<Record<FieldName<D>, number | boolean>>;
export type OverrideValues<D extends KernelDescriptor> = Readonly<Partial<Record<OverrideName<D>, number | boolean>>>;

/** Keeps the literal names of a descriptor, so uniform values, bindings and overrides are checked by name. */
export function defineKernel<const D extends KernelDescriptor>(descriptor: D): D {
  const names = [...Object.keys(descriptor.uniform), ...Object.keys(descriptor.bindings), ...Object.keys(descriptor.overrides ?? {})];
  const bad = names.find((n, i) => names.indexOf(n) !== i || /^\d+$/.test(n));
  if (bad) throw new Error(`kernel ${descriptor.name}: "${bad}" is declared twice or is not a WGSL name`);
  return descriptor;
}

export const bool = (value: boolean): OverrideDecl => ({ type: 'bool', default: value });
export const u32Override = (value: number): OverrideDecl => ({ type: 'u32', default: value });

function literal({ type, value }: WgslConst): string {
  if (type === 'f32') return String(value);
  return type === 'u32' ? `${value >>> 0}u` : `${value | 0}i`;
}

/** The storage bindings (textures have no model stride: a batch never binds one). */
function storageBindings(d: KernelDescriptor): string[] {
  return Object.entries(d.bindings).filter(([, access]) => access !== 'texture_read').map(([name]) => name);
}

/** The uniform field holding a binding's model stride (floats between two models' slices; 0 = shared). */
export function strideField(binding: string): string {
  return `ms_${binding}`;
}

/**
 * The model-batch part of the header: the stride fields' slice starts as private variables, and
 * enter_model(z), which each entry point calls with its workgroup's z (the model index).
 */
function modelBatchLines(d: KernelDescriptor): string[] {
  const names = storageBindings(d);
  const u = d.uniformVariable ?? 'params';
  return [
    '// Model batches: workgroup z is the model; base_<binding> is where that model\'s slice starts.',
    'var<private> model_id: u32;',
    ...names.map((n) => `var<private> base_${n}: u32;`),
    `fn enter_model(z: u32) {\n  model_id = z;\n${names.map((n) => `  base_${n} = z * ${u}.${strideField(n)};`).join('\n')}\n}`,
  ];
}

function bindingLine(binding: number, [name, access]: [string, Access]): string {
  const decl = access === 'texture_read' ? `var ${name}: texture_storage_2d<rgba32float, read>` : `var<storage, ${access}> ${name}: array<f32>`;
  return `@group(0) @binding(${binding}) ${decl};`;
}

const sources = new WeakMap<KernelDescriptor, string>();

/** The kernel's full WGSL: directives, the generated header, its libraries, then its body. Memoised per descriptor. */
export function wgslSource(d: KernelDescriptor): string {
  let source = sources.get(d);
  if (source !== undefined) return source;
  const constants: Record<string, WgslConst> = {};
  for (const lib of d.libraries ?? []) Object.assign(constants, lib.constants);
  Object.assign(constants, d.constants);
  if (d.workgroupSize !== undefined) constants.WG = u32(d.workgroupSize);
  const header = [
    ...(d.enables ?? []).map((e) => `enable ${e};`),
    `// Generated from the ${d.name} kernel's descriptor (src/kernels/descriptor.ts).`,
    `struct Params {\n${uniformFields(d).map(([name, type]) => `  ${name}: ${type},`).join('\n')}\n}`,
    `@group(0) @binding(0) var<uniform> ${d.uniformVariable ?? 'params'}: Params;`,
    ...Object.entries(d.bindings).map((b, i) => bindingLine(i + 1, b)),
    ...Object.entries(d.overrides ?? {}).map(([name, o]) => `override ${name}: ${o.type} = ${o.type === 'bool' ? String(Boolean(o.default)) : `${Number(o.default) >>> 0}u`};`),
    ...Object.entries(constants).map(([name, c]) => `const ${name}: ${c.type} = ${literal(c)};`),
    '// The flat index of a 1-D dispatch that may spill into y past 65535 workgroups (groups1d).',
    'fn flat_index(gid: vec3<u32>, groups: vec3<u32>, wg: u32) -> u32 {\n  return gid.x + gid.y * groups.x * wg;\n}',
    ...modelBatchLines(d),
  ];
  source = [...header, ...(d.libraries ?? []).map((l) => l.source), d.body].join('\n');
  sources.set(d, source);
  return source;
}

/** The declared uniform fields, then one model-stride field per storage binding. */
function uniformFields(d: KernelDescriptor): [string, WgslScalar][] {
  return [...Object.entries(d.uniform), ...storageBindings(d).map((n): [string, WgslScalar] => [strideField(n), 'u32'])];
}

/** Floats between two models' slices, per binding; a binding left out is shared by every model (0). */
export type ModelStrides<D extends KernelDescriptor> = Readonly<Partial<Record<BindingName<D>, number>>>;

/** The uniform's words in declared order (16-byte multiple), each with its type's bit pattern, then the model strides. */
export function packUniform<D extends KernelDescriptor>(d: D, values: UniformValues<D>, strides: ModelStrides<D> = {} as ModelStrides<D>): ArrayBuffer {
  const declared = Object.keys(d.uniform).length;
  const fields = uniformFields(d);
  const data = new ArrayBuffer(Math.max(4, Math.ceil(fields.length / 4) * 4) * 4);
  const u32s = new Uint32Array(data);
  const i32s = new Int32Array(data);
  const f32s = new Float32Array(data);
  fields.forEach(([name, type], i) => {
    const raw = i < declared ? (values as Record<string, number | boolean | undefined>)[name] : ((strides as Record<string, number | undefined>)[name.slice(3)] ?? 0);
    if (raw === undefined) throw new Error(`kernel ${d.name}: no value for uniform field ${name}`);
    const value = Number(raw);
    if (type === 'u32') u32s[i] = value >>> 0;
    else if (type === 'i32') i32s[i] = value | 0;
    else f32s[i] = value;
  });
  return data;
}

/** The pipeline constants for `values`, checked against the declared overrides. */
export function overrideConstants<D extends KernelDescriptor>(d: D, values: OverrideValues<D> | undefined): Record<string, number> {
  const declared = new Set(Object.keys(d.overrides ?? {}));
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries((values ?? {}) as Record<string, number | boolean | undefined>)) {
    if (!declared.has(name)) throw new Error(`kernel ${d.name}: no override named ${name}`);
    if (value !== undefined) out[name] = Number(value);
  }
  return out;
}

/** Bindings 1..n from a record by name, in declared order. */
export function orderedBindings<D extends KernelDescriptor, T>(d: D, values: Readonly<Record<BindingName<D>, T>>): T[] {
  return Object.keys(d.bindings).map((name) => {
    const value = (values as Record<string, T | undefined>)[name];
    if (value === undefined) throw new Error(`kernel ${d.name}: no resource for binding ${name}`);
    return value;
  });
}
