/**
 * The one notebook serializer: a notebook file, a link, the IndexedDB snapshot and the MLflow artifact are all
 * `serializeNotebook(doc)`, and all are read back by `parseNotebook` / `validateNotebook` (migrations, then the
 * schema, then each cell's settings against its kind's schema). A refused document throws `NotebookDocError`
 * naming the field, and the caller changes nothing.
 */
import * as v from 'valibot';
import {
  NOTEBOOK_LIMITS, NotebookDocError, NotebookDocSchema, describeValue, migrateNotebook,
  type NotebookCellDoc, type NotebookDoc,
} from './notebookSchema.ts';
import { NotebookSettingsSchema, type NotebookSettings } from './settings.ts';

/** A cell kind's settings schema, as the cell registry gives it. */
export type CellSettingsSchema = v.GenericSchema<unknown, object>;

/** The settings schema of every cell kind this workbench knows, by kind. */
export type CellSettingsSchemas = Readonly<Record<string, CellSettingsSchema>>;

/** What a validation without its own `expected` (integer, finite, url…) asks for, in the user's words. */
const EXPECTED: Readonly<Record<string, string>> = {
  integer: 'a whole number',
  finite: 'a finite number',
  url: 'an http or https URL',
  check: 'an http or https URL',
};

function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item, i) => {
    const key = typeof item.key === 'string' ? item.key.slice(0, 40) : String(item.key);
    return typeof item.key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${key}`;
  }).join('');
}

/** The first problem valibot found, as a short message naming the field: `cell 5 (trainClassifier) seed is number -1; expected >=0`. */
export function issueMessage(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]], where: string): string {
  const issue = issues[0];
  // a union (classWeight) reports its own failure; the branch that got furthest names the real field
  const nested = issue.issues?.find((i) => (i.path?.length ?? 0) > (issue.path?.length ?? 0));
  if (issue.type === 'union' && nested !== undefined) return issueMessage([nested], where);
  const path = pathOf(issue);
  const field = path === '' ? where : `${where} ${path}`;
  if (issue.expected === 'never' && issue.path !== undefined && issue.path.length > 0) {
    const key = String(issue.path[issue.path.length - 1]?.key ?? '').slice(0, 40);
    const parentPath = pathOf({ ...issue, path: issue.path.slice(0, -1) as typeof issue.path });
    return `${parentPath === '' ? where : `${where} ${parentPath}`} has unknown setting "${key}"; remove it`;
  }
  if (issue.input === undefined) return `${field} is missing; add it`;
  if (issue.type === 'max_length' || issue.type === 'min_length') {
    const what = typeof issue.input === 'string' ? 'characters long' : 'items long';
    return `${field} is ${issue.received} ${what}; expected ${issue.type === 'max_length' ? 'at most' : 'at least'} ${issue.expected?.replace(/^[<>]=/, '') ?? ''}`;
  }
  const expected = (EXPECTED[issue.type] ?? issue.expected ?? 'another value').replace(/\bObject\b/g, 'an object');
  return `${field} is ${describeValue(issue.input)}; expected ${expected}`;
}

/** Parses a value against `schema`, throwing `NotebookDocError` with the field's name when it does not fit. */
export function parseOrRefuse<S extends v.GenericSchema>(schema: S, value: unknown, where: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new NotebookDocError(issueMessage(result.issues, where));
  return result.output;
}

/** Validates an already-parsed notebook of any supported version; each cell's config is checked against its kind. */
export function validateNotebook(value: unknown, cellSchemas: CellSettingsSchemas): NotebookDoc {
  const migrated = migrateNotebook(value);
  if (Array.isArray(migrated['cells']) && migrated['cells'].length > NOTEBOOK_LIMITS.maxCells) {
    throw new NotebookDocError(`notebook has ${migrated['cells'].length} cells; at most ${NOTEBOOK_LIMITS.maxCells} are accepted`);
  }
  const doc = parseOrRefuse(NotebookDocSchema, migrated, 'notebook');
  const seen = new Set<string>();
  const known = Object.keys(cellSchemas);
  const cells = doc.cells.map((cell, index): NotebookCellDoc => {
    const where = `cell ${index + 1}`;
    if (seen.has(cell.id)) throw new NotebookDocError(`${where} repeats id "${cell.id.slice(0, 40)}"; cell ids must be unique`);
    seen.add(cell.id);
    const schema = Object.hasOwn(cellSchemas, cell.kind) ? cellSchemas[cell.kind] : undefined;
    if (schema === undefined) throw new NotebookDocError(`${where} has unknown kind "${cell.kind.slice(0, 40)}"; this workbench knows ${known.join(', ')}`);
    const config = parseOrRefuse(schema, cell.config, `${where} (${cell.kind})`) as Record<string, unknown>;
    return { id: cell.id, kind: cell.kind, collapsed: cell.collapsed, config };
  });
  return { schemaVersion: doc.schemaVersion, name: doc.name, data: doc.data, settings: doc.settings, cells };
}

/** Parses and validates notebook JSON text (a file, a link's payload, an MLflow artifact). */
export function parseNotebook(json: string, cellSchemas: CellSettingsSchemas): NotebookDoc {
  // UTF-16 length bounds UTF-8 bytes from below and 3× from above, so encode only near the limit.
  if (json.length > NOTEBOOK_LIMITS.maxJsonBytes || (json.length * 3 > NOTEBOOK_LIMITS.maxJsonBytes
    && new TextEncoder().encode(json).length > NOTEBOOK_LIMITS.maxJsonBytes)) {
    throw new NotebookDocError(`notebook is larger than ${NOTEBOOK_LIMITS.maxJsonBytes} bytes; this is not a workbench notebook`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NotebookDocError(`notebook is not valid JSON (${reason}); export it again`);
  }
  return validateNotebook(value, cellSchemas);
}

/** The notebook as a plain JSON value with a fixed key order, so every output is the same document. */
export function notebookJsonValue(doc: NotebookDoc): Record<string, unknown> {
  const data = doc.data.type === 'url' ? { type: doc.data.type, name: doc.data.name, url: doc.data.url } : { type: doc.data.type, name: doc.data.name };
  // the schema's own order, so a new setting needs no edit here
  const settings = Object.fromEntries(Object.keys(NotebookSettingsSchema.entries).map((key) => [key, doc.settings[key as keyof NotebookSettings]]));
  const cells = doc.cells.map((cell) => ({ id: cell.id, kind: cell.kind, collapsed: cell.collapsed, config: cell.config }));
  return JSON.parse(JSON.stringify({ schemaVersion: doc.schemaVersion, name: doc.name, data, settings, cells })) as Record<string, unknown>;
}

/** The notebook as pretty JSON: the file a user downloads and the `notebook.json` logged to MLflow. */
export function serializeNotebook(doc: NotebookDoc): string {
  return `${JSON.stringify(notebookJsonValue(doc), null, 2)}\n`;
}
