/** Which columns a new file's targets should be: a label-like two-valued column for the classifier, an amount for the regressor, or none. */
import type { Column, Dataset } from './types.ts';
import { binaryLabelsProblem } from './validate.ts';

/** Proposed targets; null means "none" (that model stays idle). */
export interface TargetProposal {
  readonly classTarget: string | null;
  readonly revenueTarget: string | null;
  /** show the regression target in dollars (a revenue-like name); otherwise plain numbers */
  readonly revenueIsMoney: boolean;
  /** one sentence per target saying why it was picked or why none was */
  readonly reasons: readonly string[];
}

/** Words that name the event a classifier predicts (score 2); `is_`/`has_` flags score 1. */
const LABEL_WORDS = /(^|_)(label|target|class|outcome|result|converted|conversion|ordered|purchased?|bought|churn(ed)?|fraud|default(ed)?|clicked|survived|disease|diagnosis|positive|response|won|success|y)($|_)/i;
const FLAG_PREFIX = /^(is|has|was|did)_/i;
/** Names of an amount a regressor predicts. */
const AMOUNT_WORDS = /(^|_)(revenue|amount|price|sales|spend|value|total|income|cost|target|progression|y)($|_)/i;
/** Names of money: shown in dollars by default. */
const MONEY_WORDS = /(^|_)(revenue|price|amount|sales|spend|income|cost|usd|dollars?)($|_)/i;

function labelScore(c: Column): number {
  // the name first: the two-values check is a pass over every row
  const score = LABEL_WORDS.test(c.name) ? 2 : FLAG_PREFIX.test(c.name) ? 1 : 0;
  if (score === 0 || c.kind === 'timestamp' || binaryLabelsProblem(c) !== null) return 0;
  return score;
}

function isAmount(c: Column): boolean {
  if (c.kind !== 'numeric' || c.isBool || c.unsafeInteger || c.nullCount === c.values.length) return false;
  // a two-valued column is a class, not an amount
  return binaryLabelsProblem(c) !== null;
}

/**
 * Targets for a file nobody has configured: the best-named two-valued column (a label word beats an `is_` flag;
 * among equals the later column, where targets usually sit), and a numeric amount named like revenue, else none.
 */
export function proposeTargets(ds: Dataset): TargetProposal {
  const reasons: string[] = [];
  let classTarget: string | null = null;
  let best = 0;
  for (const c of ds.columns) {
    const score = labelScore(c);
    if (score > 0 && score >= best) { best = score; classTarget = c.name; }
  }
  reasons.push(classTarget === null
    ? 'no two-valued column is named like a label (is_…, converted, target, outcome…); pick the class target or leave it none'
    : `class target ${classTarget}: a two-valued column named like a label`);
  const amount = [...ds.columns].reverse().find((c) => c.name !== classTarget && AMOUNT_WORDS.test(c.name) && isAmount(c));
  const revenueTarget = amount?.name ?? null;
  const revenueIsMoney = revenueTarget !== null && MONEY_WORDS.test(revenueTarget);
  reasons.push(revenueTarget === null
    ? 'no numeric column is named like an amount (revenue, price, value, target…); pick the regression target or leave it none'
    : `regression target ${revenueTarget}: a numeric column named like an amount${revenueIsMoney ? ', shown in dollars' : ', shown as plain numbers (mark it as money to show dollars)'}`);
  return { classTarget, revenueTarget, revenueIsMoney, reasons };
}

/** What choosing targets for a new file needs from its rows, worked out once where the rows are (the data worker). */
export interface TargetFacts {
  readonly proposal: TargetProposal;
  /** columns that hold exactly two classes (valid class targets) */
  readonly twoValued: readonly string[];
}

/** The proposal and the two-valued columns: a pass over the rows of each column, so the page never makes one. */
export function targetFacts(ds: Dataset): TargetFacts {
  return { proposal: proposeTargets(ds), twoValued: ds.columns.filter((c) => binaryLabelsProblem(c) === null).map((c) => c.name) };
}
