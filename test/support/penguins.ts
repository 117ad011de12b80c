// A CSV shaped like the Palmer penguins file, generated from a seed: string label (species),
// string features (island, sex), NA in numeric columns and in sex, a few rows without a species,
// a row-id column and a constant column. Species differ in bill, flipper and mass as in the real data.

import { Rng } from '../../src/util/rng.js';

const SPECIES = [
  { name: 'Adelie', islands: ['Biscoe', 'Dream', 'Torgersen'], bill: [38.8, 18.3], flipper: 190, mass: 3700 },
  { name: 'Chinstrap', islands: ['Dream'], bill: [48.8, 18.4], flipper: 196, mass: 3733 },
  { name: 'Gentoo', islands: ['Biscoe'], bill: [47.5, 15.0], flipper: 217, mass: 5076 },
];

export const PENGUIN_COLUMNS = ['rowid', 'species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex', 'study'];

/** Rows as cell arrays in PENGUIN_COLUMNS order. */
export function penguinRows(n = 240, seed = 7): string[][] {
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const s = SPECIES[i % 3];
    const cells = [
      String(i + 1),
      s.name,
      s.islands[Math.floor(rng.next() * s.islands.length)],
      (s.bill[0] + 2.5 * gauss()).toFixed(1),
      (s.bill[1] + 1 * gauss()).toFixed(1),
      String(Math.round(s.flipper + 6 * gauss())),
      String(Math.round((s.mass + 400 * gauss()) / 25) * 25),
      rng.next() < 0.5 ? 'male' : 'female',
      'PAL0708',
    ];
    if (i % 23 === 5) cells[7] = 'NA';
    if (i % 61 === 9) cells[3] = 'NA';
    if (i % 71 === 11) cells[6] = '';
    if (i === 100 || i === 150) cells[1] = 'NA';
    rows.push(cells);
  }
  return rows;
}

export function penguinsCsv(rows = penguinRows(), columns = PENGUIN_COLUMNS): string {
  const order = columns.map((c) => PENGUIN_COLUMNS.indexOf(c));
  return [columns.join(','), ...rows.map((r) => order.map((k) => r[k]).join(','))].join('\n') + '\n';
}
