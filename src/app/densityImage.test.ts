import { describe, expect, it } from 'vitest';
import { densityGrid } from '../notebook/evaluation.ts';
import { DENSITY_COLOURS, densityPixels } from './densityImage.ts';

describe('densityPixels', () => {
  it('draws one pixel per cell, top row first: empty cells transparent, one row the lightest colour, the fullest cell the darkest', () => {
    // 3 × 2 cells: bottom row (y < 0.5) holds 1 point left and 100 right, the top row 10 in the middle
    const xs = [0, ...Array<number>(100).fill(2.9), ...Array<number>(10).fill(1.5)];
    const ys = [0, ...Array<number>(100).fill(0), ...Array<number>(10).fill(1)];
    const g = densityGrid(xs, ys, { x: 3, y: 2 }, { x: { min: 0, max: 3 }, y: { min: 0, max: 1 } });
    expect(Array.from(g.counts)).toEqual([1, 0, 100, 0, 10, 0]);
    const px = densityPixels(g);
    const at = (row: number, col: number) => Array.from(px.subarray((row * 3 + col) * 4, (row * 3 + col) * 4 + 4));
    expect(at(1, 0)).toEqual([...DENSITY_COLOURS.fewest, 255]);
    expect(at(1, 2)).toEqual([...DENSITY_COLOURS.most, 255]);
    expect(at(1, 1)).toEqual([0, 0, 0, 0]);
    // 10 rows: halfway on the log scale between 1 and 100
    expect(at(0, 1)).toEqual([...DENSITY_COLOURS.fewest.map((c, k) => Math.round(c + 0.5 * ((DENSITY_COLOURS.most[k] as number) - c))), 255]);
    expect(at(0, 0)[3]).toBe(0);
  });
});
