/** Shared shapes of the data layer: what a decoded parquet file becomes, and what models consume. */

/**
 * Values of a numeric column, in the narrowest array that holds every value exactly: bytes for columns of
 * integers 0–255 without nulls (bools, flags, hours, small counts: an eighth of float64), float32 where every
 * value is exact in float32, float64 otherwise (money, large ints). NaN marks a null, so a column with nulls
 * is always a float array.
 */
export type NumericValues = Float64Array | Float32Array | Uint8Array;

/** A numeric column (ints, doubles, bools as 0/1); NaN marks a null. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  /** parquet/arrow type as text, e.g. "Int64", "Bool", "Float64" */
  readonly arrowType: string;
  readonly values: NumericValues;
  readonly nullCount: number;
  /** true for Bool columns */
  readonly isBool: boolean;
  /** true when every non-null value is an integer */
  readonly isInteger: boolean;
  /** true when an int64 value lies beyond ±2^53 (cannot be a float feature) */
  readonly unsafeInteger: boolean;
  /** the exact 64-bit integers of a column with values beyond ±2^53 (ids), for showing them; `values` holds them rounded */
  readonly exact?: BigInt64Array | BigUint64Array;
}

/** A string or dictionary column as codes into `levels`; code -1 marks a null. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly arrowType: string;
  readonly codes: Int32Array;
  readonly levels: readonly string[];
  readonly nullCount: number;
}

/** A timestamp/date column, as epoch milliseconds (NaN = null). Never a feature by default. */
export interface TimestampColumn {
  readonly kind: 'timestamp';
  readonly name: string;
  readonly arrowType: string;
  /** epoch milliseconds: instants, whatever zone the file names */
  readonly values: Float64Array;
  readonly nullCount: number;
  /** the zone the file names (`timestamp[us, tz=Europe/Berlin]`): date parts read wall-clock time there; absent: naive, read as UTC */
  readonly timeZone?: string;
}

export type Column = NumericColumn | CategoricalColumn | TimestampColumn;

/** Where a dataset came from. */
export type DataSource =
  | { readonly type: 'bundled'; readonly url: string; readonly name: string }
  | { readonly type: 'url'; readonly url: string; readonly name: string }
  | { readonly type: 'file'; readonly name: string };

/** A decoded table: columns of equal length. */
export interface Dataset {
  readonly source: DataSource;
  readonly rows: number;
  readonly columns: readonly Column[];
  /** hex SHA-256 of the file bytes (empty string when unknown) */
  readonly sha256: string;
  readonly bytes: number;
  /** columns of the file left out for their type (decimal, list, binary…), each with the note that says so; absent when none */
  readonly skipped?: readonly SkippedColumn[];
}

/** A column of the file the decoder left out, and the one sentence every message about it uses. */
export interface SkippedColumn {
  readonly name: string;
  readonly note: string;
}

/** The model matrix: row-major float32, one row per session, plus how columns map back to the data. */
export interface ModelMatrix {
  readonly rows: number;
  readonly cols: number;
  /** row-major, length rows*cols */
  readonly X: Float32Array;
  readonly featureNames: readonly string[];
  /** for each model column, the user-facing feature it belongs to (a one-hot group is one feature) */
  readonly featureGroups: readonly string[];
}
