// Scripted pen strokes for the digits 0–9 on the drawing pad, as polylines in pad fractions
// (0..1, y down), drawn the way a person writes them. Used by the demo e2e test to check that the
// pad's MNIST framing lets a model trained on the subset read hand-made digits.

type Pt = [number, number];

const ellipse = (cx: number, cy: number, rx: number, ry: number, from = 0, to = 2 * Math.PI, n = 24): Pt[] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = from + ((to - from) * i) / n;
    return [cx + rx * Math.sin(t), cy - ry * Math.cos(t)];
  });

/** Strokes per digit: each stroke a polyline (pen down at the first point, up at the last). */
export const DIGIT_STROKES: Pt[][][] = [
  [ellipse(0.5, 0.5, 0.2, 0.32, -0.2, 2 * Math.PI + 0.1)],
  [[[0.46, 0.2], [0.52, 0.18], [0.52, 0.5], [0.52, 0.82]]],
  [[[0.3, 0.32], [0.36, 0.22], [0.5, 0.17], [0.64, 0.22], [0.68, 0.34], [0.6, 0.48], [0.45, 0.63], [0.3, 0.8], [0.5, 0.8], [0.72, 0.8]]],
  [[[0.3, 0.22], [0.48, 0.17], [0.64, 0.22], [0.66, 0.34], [0.46, 0.47], [0.64, 0.54], [0.7, 0.67], [0.62, 0.8], [0.46, 0.83], [0.3, 0.78]]],
  [[[0.58, 0.18], [0.43, 0.4], [0.28, 0.6], [0.5, 0.6], [0.76, 0.6]], [[0.62, 0.36], [0.62, 0.6], [0.62, 0.85]]],
  [[[0.7, 0.2], [0.36, 0.2], [0.33, 0.47], [0.5, 0.43], [0.66, 0.5], [0.7, 0.64], [0.62, 0.78], [0.46, 0.83], [0.3, 0.78]]],
  [[[0.62, 0.17], [0.48, 0.3], [0.38, 0.45], [0.33, 0.62], [0.38, 0.78], [0.5, 0.83], [0.63, 0.76], [0.65, 0.62], [0.55, 0.53], [0.42, 0.55], [0.35, 0.63]]],
  [[[0.28, 0.2], [0.5, 0.2], [0.72, 0.2], [0.6, 0.42], [0.5, 0.62], [0.44, 0.83]]],
  [Array.from({ length: 41 }, (_, i): Pt => {
    const t = (2 * Math.PI * i) / 40;
    return [0.5 + 0.17 * Math.sin(2 * t), 0.5 - 0.32 * Math.sin(t)];
  })],
  [[...ellipse(0.5, 0.35, 0.16, 0.16, Math.PI / 2, Math.PI / 2 + 2 * Math.PI), [0.66, 0.5], [0.64, 0.66], [0.62, 0.84]]],
];
