/** Plain data the app collects for a shareable report; aggregates only, never data rows unless `sample` is set. */
import type { MetricTarget } from '../trainers/targets.ts';
import type { ThresholdGrid } from '../trainers/thresholdSweep.ts';

/** A setting value as shown in the report. */
export type SettingValue = string | number | boolean;

/** A user's quality target on one metric, and whether the run meets it. */
export type TargetCheck = Pick<MetricTarget, 'metric' | 'op' | 'value'> & { readonly met: boolean };

/** One column of the loaded data, as profiled. */
export interface ReportColumn {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
}

/** Summary of the data set the notebook ran on. */
export interface ReportData {
  /** file name, URL or bundled-data name, exactly as the user chose it */
  readonly source: string;
  readonly rows: number;
  readonly columns: readonly ReportColumn[];
  /** hex SHA-256 of the source bytes, so a reader can check they hold the same file */
  readonly sha256: string;
  readonly classBalance: { readonly negatives: number; readonly positives: number; readonly rate: number };
  /** mean regression target over the rows whose class is positive */
  readonly meanOrderValue: number;
  /** the user's targets, so the report names them ('' = none); absent: generic words */
  readonly targetNames?: ReportTargetNames;
}

/** Which columns the models predict, and whether the regression target is money (shown in dollars). */
export interface ReportTargetNames {
  readonly classTarget: string;
  readonly regressionTarget: string;
  readonly regressionIsMoney: boolean;
}

/** A leakage finding for one feature. */
export interface LeakageFinding {
  readonly feature: string;
  /** single-feature AUC against the label */
  readonly auc: number;
  readonly flagged: boolean;
  readonly reasons: readonly string[];
}

/** Which columns went into the models and why the others did not. */
export interface ReportFeatures {
  readonly used: readonly string[];
  readonly excluded: ReadonlyArray<{ readonly column: string; readonly reason: string }>;
}

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  readonly meanPredicted: number;
  readonly fractionPositive: number;
  readonly count: number;
}

/** The conversion classifier's settings, metrics and curve aggregates. */
export interface ReportClassifier {
  readonly settings: Readonly<Record<string, SettingValue>>;
  readonly backend: string;
  /** auc_roc, pr_auc, f1_score, precision, recall, log_loss, brier, threshold (and any others) */
  readonly metrics: Readonly<Record<string, number>>;
  readonly targets: readonly TargetCheck[];
  /** may be long; the builder keeps at most 2,000 points, endpoints included */
  readonly roc: { readonly fpr: readonly number[]; readonly tpr: readonly number[] };
  readonly pr: { readonly precision: readonly number[]; readonly recall: readonly number[] };
  /** counts at the 1,001 thresholds i/1000 (i = 0…1000) on the test split */
  readonly sweep: ThresholdGrid;
  readonly calibration: readonly CalibrationBin[];
  /** the threshold the app currently uses; the slider starts here */
  readonly threshold: number;
}

/** The revenue regressor's settings, metrics and plot aggregates. */
export interface ReportRegressor {
  readonly settings: Readonly<Record<string, SettingValue>>;
  readonly backend: string;
  /** rmse, mae, r2, mape: those without a meaning for this test split are left out and named in `undefinedMetrics` */
  readonly metrics: Readonly<Record<string, number>>;
  /** the naive baseline (predict the mean) on the same split, the same metrics */
  readonly baseline: Readonly<Record<string, number>>;
  /** metrics left out because they have no meaning here (R² of a constant target), with what to show instead */
  readonly undefinedMetrics?: Readonly<Record<string, string>>;
  readonly targets: readonly TargetCheck[];
  /**
   * A capped sample (≤ 2,000) of (actual, prediction) pairs for the predicted-vs-actual plot: model outputs
   * against the target only, no feature values, so it is not a data row; the builder enforces the cap.
   */
  readonly points: { readonly actual: readonly number[]; readonly predicted: readonly number[] };
    readonly residualHistogram: ResidualHistogram;
}

/**
 * Residuals (actual − predicted) in equal-width bins over their central 99 %: `counts[i]` fall in
 * [edges[i], edges[i+1]) (the last bin includes its right edge); `below` and `above` count the rows outside.
 */
export interface ResidualHistogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly below: number;
  readonly above: number;
}

/** One tracked run, for the runs comparison table. */
export interface ReportRun {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly backend: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** metrics left out because they have no meaning for the run (R² of a constant target), with what to show instead */
  readonly undefinedMetrics?: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, SettingValue>>;
}

/** Data rows included only when the user explicitly asks for a sample. */
export interface ReportSample {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

/** A tree model's SHAP summary: mean |SHAP| per feature (a one-hot group summed as one) over a seeded sample of test rows. */
export interface ReportShap {
  readonly model: 'classifier' | 'regressor';
  readonly runName: string;
  /** gbdt or rf */
  readonly treeModel: string;
  /** what SHAP values are in: log-odds, probability, log1p(<target>), <target> (with ", $" when it is money) */
  readonly units: string;
  readonly rows: number;
  readonly totalRows: number;
  readonly seed: number;
  readonly expectedValue: number;
  /** largest first */
  readonly features: ReadonlyArray<{ readonly feature: string; readonly meanAbs: number }>;
}

/** Everything `buildReportHtml` needs; the app fills it from the notebook's state. */
export interface ReportInput {
  readonly title: string;
  /** ISO 8601 timestamp */
  readonly createdAt: string;
  readonly workbenchVersion: string;
  readonly data: ReportData;
  readonly leakage: readonly LeakageFinding[];
  readonly features: ReportFeatures;
  readonly classifier?: ReportClassifier;
  readonly regressor?: ReportRegressor;
  readonly runs: readonly ReportRun[];
  /** SHAP summaries of the active tree models, when the SHAP cell computed them */
  readonly shap?: readonly ReportShap[];
  readonly sample?: ReportSample;
}
