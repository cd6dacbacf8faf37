/** Small views of the loaded dataset for components, derived without the component holding the dataset. */
import { useMemo } from 'react';
import type { Dataset } from '../data/types.ts';
import { useWorkbench } from './store.ts';

/**
 * `derive(dataset)`, recomputed when the dataset (its `dataVersion`) or `derive` changes; null while nothing is loaded.
 * Pass a module-level function or a `useCallback` (its dependency list, which lint checks, says when the view changes).
 *
 * Why not select `s.dataset`: React keeps each component's previous render (the alternate fiber: hook state, props,
 * and every closure handed to children, whose scope holds the render's variables) until the component renders again,
 * so a component that held the dataset kept the one before the last reload alive: a third copy of the columns during
 * the next load. Here the fiber holds only the version and the view, so `derive` must return names, counts and text,
 * never the column arrays themselves.
 */
export function useDatasetView<T>(derive: (ds: Dataset) => T): T | null {
  const version = useWorkbench((s) => s.dataVersion);
  return useMemo(() => {
    const s = useWorkbench.getState();
    // the dataset of the version this render saw; a newer load renders again with its own version
    const ds = s.dataVersion === version ? s.dataset : null;
    return ds === null ? null : derive(ds);
  }, [version, derive]);
}
