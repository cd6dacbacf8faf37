# Writes the small parquet fixtures the hostile-file tests need and parquet-wasm cannot write:
# a file whose pages carry CRC-32 checksums (PLAIN doubles, uncompressed, so a flipped bit changes a value).
# Run: node scripts/pythonPeer.mjs python scripts/make-hostile-fixtures.py
import pathlib
import pyarrow as pa
import pyarrow.parquet as pq

out = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures'
out.mkdir(parents=True, exist_ok=True)
n = 2000
table = pa.table({
    'x': pa.array([i * 0.25 for i in range(n)], pa.float64()),
    'y': pa.array([i % 2 for i in range(n)], pa.int32()),
})
pq.write_table(table, out / 'crc.parquet', compression='none', use_dictionary=False,
               write_page_checksum=True, data_page_size=4096, row_group_size=1000)
print(out / 'crc.parquet')
