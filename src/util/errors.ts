// Error types users see. Every bad-input error names the field, the value it got and what was
// expected, so a CLI can print one line and a caller can branch on the class. Raised before any
// GPU work so a mistake never costs trained weights or files.

/** Bad user input: a config field, a data value, a file. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field}: got ${describeValue(value)}, expected ${expected}`);
    this.name = 'InputError';
  }
}

/** Tensors handed to a kernel disagree in shape; raised before anything is dispatched. */
export class ShapeError extends Error {
  constructor(
    readonly kernel: string,
    message: string,
  ) {
    super(`${kernel}: ${message}`);
    this.name = 'ShapeError';
  }
}

/** Training produced a non-finite loss; the model keeps its last finite weights. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    /** First step of the window the loss was checked over (the loss is read back per epoch). */
    readonly fromStep = step,
  ) {
    super(
      `loss became ${loss} by step ${step}${fromStep < step ? ` (in steps ${fromStep}-${step})` : ''}; ` +
        'training stopped and the weights from the last finite check were kept',
    );
    this.name = 'NonFiniteLossError';
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.slice(0, 8).map(describeValue).join(', ')}${value.length > 8 ? ', ...' : ''}]`;
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? json.slice(0, 77) + '...' : json;
  } catch {
    return String(value);
  }
}

/** Formats a shape as `[3, 4]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
