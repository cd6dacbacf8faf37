/** The features slice: which columns are left out and how columns are transformed before encoding. */
import type { StateCreator } from 'zustand';
import type { ColumnTransform } from '../data/encode.ts';
import type { WorkbenchState } from './store.ts';

export interface FeaturesSlice {
  /** columns or one-hot group names left out of both models */
  excluded: readonly string[];
  transforms: Readonly<Record<string, ColumnTransform>>;
  /** increments on every feature change, so dependent cells go stale */
  featuresVersion: number;
  setExcluded(names: readonly string[]): void;
  toggleExcluded(name: string): void;
  setTransform(column: string, t: ColumnTransform | null): void;
}

export const createFeaturesSlice: StateCreator<WorkbenchState, [], [], FeaturesSlice> = (set, get) => ({
  excluded: [],
  transforms: {},
  featuresVersion: 0,
  setExcluded(names) {
    set((s) => ({ excluded: [...new Set(names)], featuresVersion: s.featuresVersion + 1 }));
  },
  toggleExcluded(name) {
    set((s) => ({
      excluded: s.excluded.includes(name) ? s.excluded.filter((n) => n !== name) : [...s.excluded, name],
      featuresVersion: s.featuresVersion + 1,
    }));
  },
  setTransform(column, t) {
    set((s) => {
      const transforms = { ...s.transforms };
      if (t) transforms[column] = t;
      else delete transforms[column];
      return { transforms, featuresVersion: s.featuresVersion + 1 };
    });
    // the leakage check judges the transformed column (a capped engagement_depth is no longer a leak)
    get().rebuildData();
  },
});
