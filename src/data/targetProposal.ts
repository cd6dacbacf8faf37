/** Which columns a new file's targets should be: a label-like two-valued column for the classifier, an amount for the regressor, or none. */
import type { Column, Dataset } from './types.ts';
import { binaryLabels, binaryLabelsProblem, type BinaryLabels } from './validate.ts';

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
const LABEL_WORDS = /(^|_)(label|target|class|outcome|result|converted|conversion|ordered|purchased?|bought|churn(ed)?|fraud|default(ed)?|clicked|survived|disease|diagnosis|positive|response|won|success|subscribed|attrition|exited|approved|cancell?ed|renewed|retained|readmitted|spam|y)($|_)/i;
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
 * Whether `amount` is the class target's amount (revenue of converting sessions): zero or null on every negative
 * row. A column that varies on negative rows too (a transaction's amount beside is_fraud) is a feature, not a target.
 */
function isAmountOfClass(amount: Column, labels: BinaryLabels | null): boolean {
  if (labels === null || amount.kind !== 'numeric') return true;
  const v = amount.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? NaN;
    if (labels.y[i] === 0 && x !== 0 && x === x) return false;
  }
  return true;
}

/**
 * Targets for a file nobody has configured: the best-named two-valued column (a label word beats an `is_` flag;
 * among equals the later column, where targets usually sit), and a numeric amount named like revenue (with a class
 * target, only one that is zero on its negative rows), else none.
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
  const classColumn = ds.columns.find((c) => c.name === classTarget);
  const named = [...ds.columns].reverse().filter((c) => c.name !== classTarget && AMOUNT_WORDS.test(c.name) && isAmount(c));
  // the class's labels: one pass over its rows, whatever the number of amount columns checked against them
  const classLabels = classColumn === undefined || named.length === 0 ? null : binaryLabels(classColumn);
  const labels = typeof classLabels === 'string' ? null : classLabels;
  const amount = named.find((c) => isAmountOfClass(c, labels));
  const revenueTarget = amount?.name ?? null;
  const revenueIsMoney = revenueTarget !== null && MONEY_WORDS.test(revenueTarget);
  const feature = named[0];
  reasons.push(revenueTarget === null && feature !== undefined && classTarget !== null
    ? `${feature.name} is not zero on the rows where ${classTarget} is negative, so it stays a feature rather than ${classTarget}'s amount; pick it as the regression target to model it`
    : revenueTarget === null
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
