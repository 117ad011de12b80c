// What the adapter is, as plain data: the report acquireGpu() fills in, and the checks on it that
// pick device-specific paths (the kernel tuning, the wait style) and name the adapter in logs.

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Invocations per subgroup, when the device has the subgroups feature and the adapter one fixed size. */
  subgroupSize: number | undefined;
  /** WGSL may declare storage textures with read access (lavapipe's texel matmul binds its operands so). */
  readonlyStorageTextures: boolean;
  /** Where the adapter came from: the browser's navigator.gpu or dawn-node. */
  runtime: 'browser' | 'node';
}

/** The adapter's identifying strings in one lower-case line, for matching driver names. */
export function adapterText(report: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  return `${report.vendor} ${report.architecture} ${report.device} ${report.description}`.toLowerCase();
}

/** Whether the adapter runs kernels on the CPU (lavapipe, SwiftShader, or any fallback adapter). */
export function isCpuAdapter(report: AdapterReport): boolean {
  return report.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/.test(adapterText(report));
}

/** One line naming the adapter, for logs, test output and the CLI's JSON. */
export function describeAdapter(report: AdapterReport): string {
  const parts = [report.vendor, report.architecture, report.device, report.description].filter((p) => p && p.length > 0);
  const unique = [...new Set(parts)];
  return `${unique.join(' / ') || 'unknown adapter'}${report.isFallbackAdapter ? ' (fallback)' : ''}`;
}
