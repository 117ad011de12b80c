// "Did you mean" for misspelled option keys: the closest known key by case- and separator-blind
// comparison, common aliases from other libraries (learningRate -> lr), then edit distance.

import { InputError } from './errors.js';

const ALIASES: Record<string, string> = {
  learningrate: 'lr',
  learnrate: 'lr',
  optim: 'optimizer',
  epoch: 'epochs',
  numepochs: 'epochs',
  hiddenlayers: 'layers',
  hidden: 'layers',
  valsplit: 'validationSplit',
  batch: 'batchSize',
  l2: 'weightDecay',
  gradclip: 'clipNorm',
  clipgradnorm: 'clipNorm',
  layernormalization: 'layerNorm',
  checkpointevery: 'checkpointEvery',
};

const squash = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The known key `key` most likely meant, or undefined when nothing is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const s = squash(key);
  const exact = known.find((k) => squash(k) === s);
  if (exact) return exact;
  const alias = ALIASES[s];
  if (alias && known.includes(alias)) return alias;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(s, squash(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  // One typo beats a prefix match (randomSeeed is randomSeed, not random).
  if (bestD <= 1) return best;
  // A shortened or lengthened name (restoreBest, outputs).
  const prefixed = s.length >= 4 ? known.find((k) => squash(k).startsWith(s) || s.startsWith(squash(k)) && squash(k).length >= 4) : undefined;
  if (prefixed) return prefixed;
  return best !== undefined && bestD <= Math.max(1, Math.floor(s.length / 3)) ? best : undefined;
}

/** The expected-text of an unknown-key error: the suggestion, then the valid keys. */
export function unknownKeyExpected(key: string, known: readonly string[], what = 'a known key'): string {
  const hint = closestKey(key, known);
  return hint ? `"${hint}" (did you mean "${hint}"?)` : `${what}: ${known.join(', ')}`;
}

/** Throws an InputError naming the first key of `obj` not in `known`, with the closest valid one. */
export function rejectUnknownKeys(obj: object, known: readonly string[], field: string, elsewhere: Record<string, string> = {}): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const moved = elsewhere[squash(key)];
    const expected = moved ? `"${moved}" (did you mean "${moved}"?)` : unknownKeyExpected(key, known, 'one of');
    throw new InputError(`${field}${field ? '.' : ''}${key}`, 'an unknown option', expected);
  }
}
