// Compiles WGSL inside validation error scopes (failures throw WgslCompileError with line:col) and
// reuses what it compiled: shader modules keyed by their full source, pipelines by source, entry
// point and override constants, so a changed source can never pick up a stale module.

import { gpuWait } from '../device/waits.js';
import { WgslCompileError } from './compile-error.js';

export type Constants = Readonly<Record<string, number>>;

/** Compiles each (source, entry point, override constants) once and reuses it. */
export class PipelineCache {
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice) {}

  /** `kernel` only labels the pipeline and its errors; the source is the identity. */
  get(kernel: string, source: string, entryPoint: string, constants: Constants = {}): Promise<GPUComputePipeline> {
    const sorted = Object.keys(constants).sort().map((k) => [k, constants[k]]);
    const key = `${entryPoint}\u0000${JSON.stringify(sorted)}\u0000${source}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.create(kernel, source, entryPoint, constants);
      this.pipelines.set(key, pipeline);
      pipeline.catch(() => this.pipelines.delete(key));
    }
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }

  private module(kernel: string, source: string): Promise<GPUShaderModule> {
    let module = this.modules.get(source);
    if (!module) {
      module = this.compile(kernel, source);
      this.modules.set(source, module);
      module.catch(() => this.modules.delete(source));
    }
    return module;
  }

  private async compile(kernel: string, source: string): Promise<GPUShaderModule> {
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: kernel, code: source });
    const info = await gpuWait('quiet', () => module.getCompilationInfo());
    const scopeError = await gpuWait('quiet', () => this.device.popErrorScope());
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new WgslCompileError(kernel, errors.map((m) => ({ line: m.lineNum, column: m.linePos, message: m.message })), source);
    }
    if (scopeError) throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: scopeError.message }], source);
    return module;
  }

  private async create(kernel: string, source: string, entryPoint: string, constants: Constants): Promise<GPUComputePipeline> {
    const module = await this.module(kernel, source);
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await gpuWait('quiet', () =>
        this.device.createComputePipelineAsync({
          label: `${kernel}.${entryPoint}`,
          layout: 'auto',
          compute: { module, entryPoint, constants },
        }),
      );
    } catch (err) {
      await gpuWait('quiet', () => this.device.popErrorScope());
      throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: `${entryPoint}: ${(err as Error).message}` }], source);
    }
    const scopeError = await gpuWait('quiet', () => this.device.popErrorScope());
    if (scopeError) throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: `${entryPoint}: ${scopeError.message}` }], source);
    return pipeline;
  }
}
