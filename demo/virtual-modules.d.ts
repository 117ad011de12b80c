// Types of the demo's build-time virtual modules (see mnist-subset-plugin.ts).

declare module 'virtual:mnist-subset' {
  /** URLs of the bundled IDX files: the first rows of MNIST's training and test sets. */
  export const urls: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  export const rows: { train: number; test: number };
}
