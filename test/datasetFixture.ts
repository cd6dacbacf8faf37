/** Test fixtures: an Arrow table written to parquet bytes and decoded as the loader would, or a shared data file. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import * as arrow from 'apache-arrow';
import { decodeTable } from '../src/data/decode.ts';
import type { Dataset } from '../src/data/types.ts';

/** `table` as parquet bytes (snappy, one row group per `rowGroupRows` rows, 64k by default). */
export function parquetBytes(table: arrow.Table, rowGroupRows = 65_536): Uint8Array {
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(rowGroupRows).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

/** Parquet bytes decoded into a Dataset named `name`. */
export function datasetFromParquet(bytes: Uint8Array, name: string): Dataset {
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  return { source: { type: 'file', name }, rows: table.numRows, columns: decodeTable(table).columns, sha256: '', bytes: bytes.length };
}

/** An Arrow table round-tripped through a parquet file the test writes. */
export function datasetFromTable(table: arrow.Table, name = 'fixture.parquet'): Dataset {
  return datasetFromParquet(parquetBytes(table), name);
}

/** A file of the shared data folder (`../shared/data`). */
export function sharedDataset(file: string): Dataset {
  return datasetFromParquet(readFileSync(path.resolve(process.cwd(), '../shared/data', file)), file);
}
