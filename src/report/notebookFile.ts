/** Versioned notebook JSON: strict validation (an import changes nothing unless it all checks) and migrations. */

/** The notebook file format this workbench writes; older files are migrated, newer ones refused. */
export const NOTEBOOK_SCHEMA_VERSION = 1;

/** Sizes past which a notebook file or link is refused as absurd. */
export const NOTEBOOK_LIMITS = {
  maxCells: 200,
  maxStringLength: 10_000,
  maxJsonBytes: 1_000_000,
  /** nesting depth inside one cell's config */
  maxDepth: 32,
} as const;

/** Where the notebook's data came from; a local file travels by name only and the reader supplies it. */
export interface NotebookDataDoc {
  readonly type: 'bundled' | 'url' | 'file';
  readonly name: string;
  /** present exactly when `type` is "url" */
  readonly url?: string;
}

/** One cell: its kind, whether it is collapsed and its persisted settings. */
export interface NotebookCellDoc {
  readonly id: string;
  readonly kind: string;
  readonly collapsed: boolean;
  readonly config: Readonly<Record<string, unknown>>;
}

/** A notebook as exported to a file or a link. */
export interface NotebookDoc {
  readonly schemaVersion: typeof NOTEBOOK_SCHEMA_VERSION;
  readonly name: string;
  readonly cells: readonly NotebookCellDoc[];
  readonly data: NotebookDataDoc;
}

/** Raised for any notebook file or link that is refused; `message` is meant for the user. */
export class NotebookDocError extends Error {
  override readonly name = 'NotebookDocError';
}

type JsonObject = Record<string, unknown>;

/** Steps from version n (the key) to n + 1, applied in order until the current version. */
const MIGRATIONS: Readonly<Record<number, (doc: JsonObject) => JsonObject>> = {
  // Version 0 called the cell list `items` and could omit `collapsed`.
  0: (doc) => {
    const { items, ...rest } = doc;
    if (!Array.isArray(items)) throw new NotebookDocError('version 0 notebook has no "items" list; export it again');
    const cells = items.map((item: unknown) =>
      isObject(item) && item['collapsed'] === undefined ? { ...item, collapsed: false } : item,
    );
    return { ...rest, schemaVersion: 1, cells };
  },
};

/** Parses and strictly validates a notebook file, migrating older versions; throws `NotebookDocError` if refused. */
export function parseNotebookDoc(json: string, knownKinds: readonly string[]): NotebookDoc {
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
  return validateNotebookDoc(value, knownKinds);
}

/** Validates an already-parsed notebook (from a file or a link), migrating older versions. */
export function validateNotebookDoc(value: unknown, knownKinds: readonly string[]): NotebookDoc {
  if (!isObject(value)) throw new NotebookDocError(`notebook is ${describe(value)}; expected an object`);
  const doc = migrate(value);
  checkKeys(doc, ['schemaVersion', 'name', 'cells', 'data'], 'notebook');
  const name = checkString(doc['name'], 'notebook name');
  const cellsValue = doc['cells'];
  if (!Array.isArray(cellsValue)) throw new NotebookDocError(`notebook cells is ${describe(cellsValue)}; expected a list`);
  if (cellsValue.length > NOTEBOOK_LIMITS.maxCells) {
    throw new NotebookDocError(`notebook has ${cellsValue.length} cells; at most ${NOTEBOOK_LIMITS.maxCells} are accepted`);
  }
  const known = new Set(knownKinds);
  const seenIds = new Set<string>();
  const cells = cellsValue.map((cell: unknown, index): NotebookCellDoc => {
    const where = `cell ${index + 1}`;
    if (!isObject(cell)) throw new NotebookDocError(`${where} is ${describe(cell)}; expected an object`);
    checkKeys(cell, ['id', 'kind', 'collapsed', 'config'], where);
    const id = checkString(cell['id'], `${where} id`);
    if (id === '') throw new NotebookDocError(`${where} has an empty id; give every cell an id`);
    if (seenIds.has(id)) throw new NotebookDocError(`${where} repeats id "${id}"; cell ids must be unique`);
    seenIds.add(id);
    const kind = checkString(cell['kind'], `${where} kind`);
    if (!known.has(kind)) {
      throw new NotebookDocError(`${where} has unknown kind "${kind}"; this workbench knows ${knownKinds.join(', ')}`);
    }
    const collapsed = cell['collapsed'];
    if (typeof collapsed !== 'boolean') throw new NotebookDocError(`${where} collapsed is ${describe(collapsed)}; expected true or false`);
    const config = cell['config'];
    if (!isObject(config)) throw new NotebookDocError(`${where} config is ${describe(config)}; expected an object`);
    checkJsonValue(config, `${where} config`, 0);
    return { id, kind, collapsed, config };
  });
  return { schemaVersion: NOTEBOOK_SCHEMA_VERSION, name, cells, data: checkData(doc['data']) };
}

/** The notebook as pretty JSON with a fixed key order, so exports diff cleanly. */
export function serializeNotebookDoc(doc: NotebookDoc): string {
  const data = doc.data.url === undefined
    ? { type: doc.data.type, name: doc.data.name }
    : { type: doc.data.type, name: doc.data.name, url: doc.data.url };
  const cells = doc.cells.map((cell) => ({ id: cell.id, kind: cell.kind, collapsed: cell.collapsed, config: cell.config }));
  return `${JSON.stringify({ schemaVersion: doc.schemaVersion, name: doc.name, data, cells }, null, 2)}\n`;
}

function migrate(value: JsonObject): JsonObject {
  const version = value['schemaVersion'];
  if (version === undefined) throw new NotebookDocError('notebook has no schemaVersion; is this a workbench notebook file?');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new NotebookDocError(`notebook schemaVersion ${describe(version)} is not a version number; export it again`);
  }
  if (version > NOTEBOOK_SCHEMA_VERSION) {
    throw new NotebookDocError(
      `notebook schemaVersion ${version} was made by a newer workbench (this one reads up to ${NOTEBOOK_SCHEMA_VERSION}); update the workbench`,
    );
  }
  let doc = value;
  for (let from = version; from < NOTEBOOK_SCHEMA_VERSION; from++) {
    const step = MIGRATIONS[from];
    if (step === undefined) throw new NotebookDocError(`notebook schemaVersion ${from} is no longer supported; export it again`);
    doc = step(doc);
  }
  return doc;
}

function checkData(value: unknown): NotebookDataDoc {
  if (!isObject(value)) throw new NotebookDocError(`notebook data is ${describe(value)}; expected an object`);
  checkKeys(value, ['type', 'name', 'url'], 'notebook data');
  const type = value['type'];
  if (type !== 'bundled' && type !== 'url' && type !== 'file') {
    throw new NotebookDocError(`notebook data type ${describe(type)} is unknown; expected "bundled", "url" or "file"`);
  }
  const name = checkString(value['name'], 'notebook data name');
  if (type !== 'url') {
    if (value['url'] !== undefined) throw new NotebookDocError(`notebook data of type "${type}" has a url; remove it`);
    return { type, name };
  }
  const url = checkString(value['url'], 'notebook data url');
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new NotebookDocError(`notebook data url "${url.slice(0, 200)}" is not a valid URL; fix or remove it`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new NotebookDocError(`notebook data url uses "${protocol}"; only http and https URLs are accepted`);
  }
  return { type, name, url };
}

function checkJsonValue(value: unknown, where: string, depth: number): void {
  if (depth > NOTEBOOK_LIMITS.maxDepth) throw new NotebookDocError(`${where} is nested deeper than ${NOTEBOOK_LIMITS.maxDepth} levels`);
  if (typeof value === 'string') {
    checkString(value, where);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotebookDocError(`${where} is ${value}; expected a finite number`);
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => checkJsonValue(item, `${where}[${i}]`, depth + 1));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkString(key, `${where} key`);
      if (key === '__proto__') throw new NotebookDocError(`${where} has a "__proto__" key; remove it`);
      checkJsonValue(item, `${where}.${key.slice(0, 40)}`, depth + 1);
    }
  } else if (typeof value !== 'boolean' && value !== null) {
    throw new NotebookDocError(`${where} is ${describe(value)}; expected JSON data`);
  }
}

function checkString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new NotebookDocError(`${where} is ${describe(value)}; expected text`);
  if (value.length > NOTEBOOK_LIMITS.maxStringLength) {
    throw new NotebookDocError(`${where} is ${value.length} characters long; at most ${NOTEBOOK_LIMITS.maxStringLength} are accepted`);
  }
  return value;
}

function checkKeys(value: JsonObject, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new NotebookDocError(`${where} has unknown field "${key.slice(0, 40)}"; remove it`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text "${value.slice(0, 40)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
