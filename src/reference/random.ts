// The counter-based RNG behind dropout, in 32-bit integer JS: the same bits as shaders/dropout.wgsl,
// so the CPU reference draws exactly the GPU's mask. Only u32 multiply (Math.imul), add, xor and
// shifts are used, each reduced with `>>> 0` — operations that WGSL's u32 defines identically.

/** PCG-RXS-M-XS output permutation (O'Neill 2014) as a stateless hash: a bijection on u32. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * 24 random bits for (seed, step, index). The (seed, step) key is hashed first and the index is
 * hashed before the key is added, so masks of neighbouring steps or seeds are not shifted copies
 * of each other. Inputs are taken modulo 2^32.
 */
export function random24(seed: number, step: number, index: number): number {
  const key = pcgHash((pcgHash(seed) + (step >>> 0)) >>> 0);
  return pcgHash((pcgHash(index) + key) >>> 0) >>> 8;
}
