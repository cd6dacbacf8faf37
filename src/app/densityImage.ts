/** A residual chart's density shading: a `DensityGrid` of every test row drawn as one image under the sampled points. */
import type { DensityGrid } from '../notebook/evaluation.ts';

/** The colours of the fewest (one row) and the most rows in a cell; empty cells are transparent. */
export const DENSITY_COLOURS: { readonly fewest: readonly [number, number, number]; readonly most: readonly [number, number, number] } = {
  fewest: [198, 219, 239],
  most: [8, 48, 107],
};

/**
 * RGBA pixels of a grid, one per cell, top row first (as an image is stored): a cell's colour goes from `fewest` to
 * `most` on a log scale of its count, so a cell of one row stays visible beside a cell of thousands.
 */
export function densityPixels(grid: DensityGrid): Uint8ClampedArray<ArrayBuffer> {
  const { nx, ny, counts, max } = grid;
  const pixels = new Uint8ClampedArray(nx * ny * 4);
  const logMax = Math.log(max);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const c = counts[j * nx + i] as number;
      if (c === 0) continue;
      const t = logMax > 0 ? Math.log(c) / logMax : 1;
      const p = ((ny - 1 - j) * nx + i) * 4;
      const [r0, g0, b0] = DENSITY_COLOURS.fewest;
      const [r1, g1, b1] = DENSITY_COLOURS.most;
      pixels[p] = Math.round(r0 + t * (r1 - r0));
      pixels[p + 1] = Math.round(g0 + t * (g1 - g0));
      pixels[p + 2] = Math.round(b0 + t * (b1 - b0));
      pixels[p + 3] = 255;
    }
  }
  return pixels;
}

const images = new WeakMap<DensityGrid, string>();

/** The grid as a PNG data URL, made once per grid (a few milliseconds: one canvas of nx × ny pixels). */
function densityDataUrl(grid: DensityGrid): string {
  let url = images.get(grid);
  if (url === undefined) {
    const canvas = document.createElement('canvas');
    canvas.width = grid.nx;
    canvas.height = grid.ny;
    canvas.getContext('2d')?.putImageData(new ImageData(densityPixels(grid), grid.nx, grid.ny), 0, 0);
    url = canvas.toDataURL('image/png');
    images.set(grid, url);
  }
  return url;
}

/** Plotly's layout image of a grid: stretched over the grid's rectangle in data coordinates, below the traces (drawn crisp by `.plot image` in styles.css). */
export function densityLayoutImage(grid: DensityGrid): Record<string, unknown> {
  return {
    source: densityDataUrl(grid), xref: 'x', yref: 'y', x: grid.x.min, y: grid.y.max, xanchor: 'left', yanchor: 'top',
    sizex: grid.x.max - grid.x.min, sizey: grid.y.max - grid.y.min, sizing: 'stretch', layer: 'below',
  };
}
