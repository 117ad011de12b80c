// The error a WGSL compile or pipeline-creation failure throws: the kernel, each message with its
// line:column, and the offending source line, so a broken shader says where it is broken.

/** A WGSL compile or pipeline-creation failure, with where and what. */
export class WgslCompileError extends Error {
  constructor(
    readonly kernel: string,
    readonly messages: { line: number; column: number; message: string }[],
    source: string,
  ) {
    const lines = source.split('\n');
    const detail = messages
      .map((m) => `  ${kernel}.wgsl:${m.line}:${m.column}: ${m.message}\n    ${lines[m.line - 1]?.trim() ?? ''}`)
      .join('\n');
    super(`WGSL kernel "${kernel}" failed to compile:\n${detail}`);
    this.name = 'WgslCompileError';
  }
}
