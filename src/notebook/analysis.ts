/** What the page knows about a loaded dataset: validation, profile and leakage, recomputed when targets change. */
import type { Dataset } from '../data/types.ts';
import { regressionTargetNegatives, validateDataset, type ValidationIssue } from '../data/validate.ts';
import type { NegativeValues } from '../trainers/targetTransform.ts';
import { profileDataset, type Profile } from '../data/profile.ts';
import { leakageReport, type LeakageFinding, type LeakageReport } from '../data/leakage.ts';
import type { ColumnTransform } from '../data/encode.ts';
import { trainingRows, type RowSplit } from '../trainers/splitPlan.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';

export interface Analysis {
  readonly issues: readonly ValidationIssue[];
  /** negative values of the regression target (a warning: 'auto' then fits the raw scale); null without a numeric one */
  readonly targetNegatives: NegativeValues | null;
  readonly profile: Profile | null;
  readonly leakage: readonly LeakageFinding[];
  /** the whole leakage check: findings, duplicate columns, rows repeated across the split, the tests used */
  readonly leakageReport: LeakageReport | null;
  /** candidate feature columns (all but the targets) */
  readonly features: readonly string[];
  readonly ms: number;
}

/** What the leakage check should see besides the targets: the Features cell's transforms and the split's rows. */
export interface AnalysisOptions {
  readonly transforms?: Readonly<Record<string, ColumnTransform>>;
  /** measured on its training rows, and rows repeated across it counted */
  readonly split?: RowSplit;
}

/** Validation first; the profile where the class target is usable; leakage against whichever targets are chosen ('' is none). */
export function analyseDataset(ds: Dataset, classTarget: string, revenueTarget: string, opts: AnalysisOptions = {}): Analysis {
  const t0 = performance.now();
  const cls = classTarget === '' ? null : classTarget;
  const rev = revenueTarget === '' ? null : revenueTarget;
  const hasRevenue = ds.columns.some((c) => c.name === rev);
  const features = ds.columns.map((c) => c.name).filter((n) => n !== classTarget && n !== revenueTarget);
  // an empty target is "none": a classification-only or a regression-only notebook
  const issues = validateDataset(ds, { classTarget: cls, revenueTarget: rev, features });
  const classBroken = cls !== null && issues.some((i) => i.column === cls);
  let profile: Profile | null = null;
  let leakage: readonly LeakageFinding[] = [];
  let report: LeakageReport | null = null;
  const revenueBroken = !hasRevenue || issues.some((i) => i.column === rev && i.code === 'revenue-not-numeric');
  if (!classBroken && (cls !== null || !revenueBroken)) {
    if (cls !== null) profile = profileDataset(ds, { classTarget: cls, revenueTarget: revenueBroken ? null : rev, features });
    const train = opts.split === undefined ? undefined : trainingRows(opts.split);
    report = leakageReport(ds, {
      classTarget: cls, revenueTarget: revenueBroken ? null : rev, features,
      ...(opts.transforms === undefined ? {} : { transforms: opts.transforms }),
      ...(opts.split === undefined || train === undefined ? {} : { rows: train, split: { train, test: opts.split.test } }),
    });
    leakage = report.findings;
    releaseBuffers(train);
  }
  return { issues, targetNegatives: regressionTargetNegatives(ds, rev), profile, leakage, leakageReport: report, features, ms: performance.now() - t0 };
}
