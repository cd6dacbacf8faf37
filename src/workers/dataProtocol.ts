/** The data worker's protocol: `load` (progress after the footer and each row group), `analyse` and `revenueView`. */
import type { LoadSelection } from '../data/loadPlan.ts';
import type { LoadProgress } from '../data/load.ts';
import type { TargetFacts } from '../data/targetProposal.ts';
import type { Dataset } from '../data/types.ts';
import type { Analysis, AnalysisOptions } from '../notebook/analysis.ts';
import type { DataSettings } from '../notebook/dataSettings.ts';
import type { FeaturesView, FeaturesViewInput } from '../notebook/featuresView.ts';
import type { TrainingInputs, TrainingInputsSpec } from '../notebook/trainingInputs.ts';
import type { RevenueView, RevenueViewInput } from '../notebook/revenueView.ts';
import type { SplitOptions, SplitPlan } from '../trainers/splitPlan.ts';
import { transferables } from './transferables.ts';
import type { Operation } from './workerProtocol.ts';

/** What to load: a URL (bundled file, http(s), presigned S3/MinIO) or a file the user picked or dropped. */
export type LoadSpec = (
  | { readonly kind: 'url'; readonly url: string; readonly name: string; readonly bundled: boolean }
  | { readonly kind: 'file'; readonly file: File }
) & {
  /** beyond a load limit, load the columns and row groups that fit instead of refusing (see `planLoad`) */
  readonly narrowToFit?: boolean;
  /** only these columns and row groups (the user's choice in the column chooser) */
  readonly selection?: LoadSelection;
  /** ms each request may wait for a complete answer (default the network policy's) */
  readonly timeoutMs?: number;
};

/** A finished load; the column buffers are transferred, not copied. */
export interface LoadedPayload {
  readonly dataset: Dataset;
  readonly notes: readonly string[];
  readonly requests: number;
  readonly rowGroups: number;
  readonly workerMs: number;
  /** the proposed targets and the two-valued columns, worked out here so the page makes no pass over the rows */
  readonly targetFacts: TargetFacts;
}

/** The targets an analysis is for. */
export interface AnalyseInput {
  readonly classTarget: string;
  readonly revenueTarget: string;
  /** transforms and split the leakage check should see */
  readonly options?: AnalysisOptions;
  /** date parts and row filters applied to the worker's dataset first, as the page applies them */
  readonly prepare?: Pick<DataSettings, 'dateParts' | 'filters'>;
  /**
   * plan the random split here with these fractions and seed (the Train cell's; a seeded shuffle of every row, off the
   * page): its rows feed the leakage check and come back; null or absent when the page planned the split
   */
  readonly planRandomSplit?: SplitOptions | null;
}

/** An analysis, with the random split's plan when it was asked for (or why it could not be made). */
export interface AnalyseResult {
  readonly analysis: Analysis;
  readonly splitPlan?: SplitPlan;
  readonly splitError?: string;
}

/** The Revenue cell's view of a classifier run, on the worker's dataset prepared as the page's is. */
export interface RevenueViewRequest extends RevenueViewInput {
  readonly prepare: Pick<DataSettings, 'dateParts' | 'filters'>;
}

/** The Features cell's view, on the worker's dataset prepared as the page's is. */
export interface FeaturesViewRequest extends FeaturesViewInput {
  readonly prepare: Pick<DataSettings, 'dateParts' | 'filters'>;
}

/** The training inputs for these Features settings, on the worker's dataset prepared as the page's is. */
export interface TrainingInputsRequest {
  readonly inputs: TrainingInputsSpec;
  readonly prepare: Pick<DataSettings, 'dateParts' | 'filters'>;
}

/**
 * The data worker's operations: `load` a file (the worker keeps the dataset, shared with the page when the page is
 * cross-origin isolated), then `analyse` it for the chosen targets (validation, profile, leakage: passes over every
 * row that stay off the page's main thread).
 */
export type DataOps = {
  readonly load: Operation<LoadSpec, LoadedPayload, LoadProgress>;
  /** a separate test file: loaded, its schema checked against the training file (one sentence on a mismatch, nothing
   * kept changes), then its rows appended after the training rows, which stay first */
  readonly loadTestFile: Operation<LoadSpec, LoadedPayload & { readonly trainRows: number }, LoadProgress>;
  /** back to the training file alone */
  readonly dropTestFile: Operation<null, null>;
  readonly analyse: Operation<AnalyseInput, AnalyseResult>;
  /** the Revenue cell's curves and slider index: the regressor's matrix and the sorts of every test row stay off the page */
  readonly revenueView: Operation<RevenueViewRequest, RevenueView>;
  /** the Features cell's table (one-hot groups) and model-matrix summary */
  readonly featuresView: Operation<FeaturesViewRequest, FeaturesView>;
  /**
   * the model matrix and both targets, built once in shared memory (cross-origin isolated pages only) and kept until
   * the data or the settings change: the classifier's and the regressor's training workers read the same copy
   */
  readonly trainingInputs: Operation<TrainingInputsRequest, TrainingInputs>;
};

/** Buffers of a dataset's columns, for the transfer list. */
export function datasetTransferables(ds: Dataset): ArrayBuffer[] {
  return transferables(...ds.columns.map((c) => (c.kind === 'categorical' ? c.codes : c.values)));
}
