/** What the page knows about a loaded dataset: validation, profile and leakage, recomputed when targets change. */
import type { Dataset } from '../data/types.ts';
import { validateDataset, type ValidationIssue } from '../data/validate.ts';
import { profileDataset, type Profile } from '../data/profile.ts';
import { leakageCheck, type LeakageFinding } from '../data/leakage.ts';

export interface Analysis {
  readonly issues: readonly ValidationIssue[];
  readonly profile: Profile | null;
  readonly leakage: readonly LeakageFinding[];
  /** candidate feature columns (all but the targets) */
  readonly features: readonly string[];
  readonly ms: number;
}

/** Validation first; profile and leakage only where the class target is usable. */
export function analyseDataset(ds: Dataset, classTarget: string, revenueTarget: string): Analysis {
  const t0 = performance.now();
  const hasRevenue = ds.columns.some((c) => c.name === revenueTarget);
  const features = ds.columns.map((c) => c.name).filter((n) => n !== classTarget && n !== revenueTarget);
  const issues = validateDataset(ds, { classTarget, revenueTarget, features });
  const classBroken = issues.some((i) => i.column === classTarget);
  let profile: Profile | null = null;
  let leakage: readonly LeakageFinding[] = [];
  const revenueBroken = !hasRevenue || issues.some((i) => i.column === revenueTarget && i.code === 'revenue-not-numeric');
  if (!classBroken) {
    profile = profileDataset(ds, { classTarget, revenueTarget: revenueBroken ? null : revenueTarget, features });
    leakage = leakageCheck(ds, { classTarget, features });
  }
  return { issues, profile, leakage, features, ms: performance.now() - t0 };
}
