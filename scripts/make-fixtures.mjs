// Writes the small parquet fixtures the end-to-end tests upload (committed; rerun to regenerate).
import * as pq from 'parquet-wasm';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import fs from 'node:fs';

const noTarget = tableFromArrays({ session: Int32Array.from([1, 2, 3]), pages: Float64Array.from([1, 4, 2]) });
fs.writeFileSync('e2e/fixtures/no_target.parquet', pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(noTarget, 'stream'))));
console.log('wrote e2e/fixtures/no_target.parquet');
