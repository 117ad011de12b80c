// The user-CSV source: a file input (or a file dropped on the page) is read as text, its header
// fills the label-column <select>, and src/data's parseCsv turns it into a Dataset.

import { parseCsv, type Dataset } from '../src/index.js';
import { byId, fillSelect } from './dom.js';

let text: string | undefined;
let fileName = 'csv';

export function hasCsv(): boolean {
  return text !== undefined;
}

/** Wires the file input and page drop; `onLoaded` runs after a file is read. */
export function initCsvInput(onLoaded: () => void): void {
  const input = byId<HTMLInputElement>('csv-file');
  const take = async (file: File | undefined) => {
    if (!file) return;
    text = await file.text();
    fileName = file.name.replace(/\.csv$/i, '') || 'csv';
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const columns = header.split(',').map((h) => h.trim().replace(/^"|"$/g, '')).filter((h) => h.length > 0);
    fillSelect(byId<HTMLSelectElement>('csv-label'), columns, columns[columns.length - 1]);
    byId<HTMLSelectElement>('csv-label').value = columns[columns.length - 1] ?? '';
    onLoaded();
  };
  input.addEventListener('change', () => void take(input.files?.[0]));
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    void take(e.dataTransfer?.files?.[0]);
  });
}

export function csvDataset(): Dataset {
  if (text === undefined) throw new Error('choose a CSV file first (file input or drop it on the page)');
  return parseCsv(text, { label: byId<HTMLSelectElement>('csv-label').value, name: fileName });
}
