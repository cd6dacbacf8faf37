/**
 * Reads a parquet footer (Thrift compact protocol) far enough to know, before decoding anything, how many
 * rows the file holds, its leaf columns, and the byte range of every row group, so that a remote file can be
 * fetched one row group at a time with HTTP range requests. parquet-wasm's metadata API does not expose
 * page offsets, hence this small reader.
 */

/** One leaf column of the file schema. */
export interface FooterColumn {
  readonly name: string;
  /** parquet physical type: BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY */
  readonly physicalType: string;
}

/** Where one column's data of one row group lies, and how big it is once decompressed. */
export interface ColumnChunkRange {
  /** first byte of its first page (the dictionary page when there is one) */
  readonly start: number;
  /** one past its last byte */
  readonly end: number;
  /** total_uncompressed_size: the pages' bytes after decompression (for strings, about their text) */
  readonly uncompressedBytes: number;
  readonly values: number;
}

/** Byte range [start, end) and row count of one row group. */
export interface RowGroupRange {
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly compressedBytes: number;
  /** one per leaf column, in schema order */
  readonly chunks: readonly ColumnChunkRange[];
}

/** What the footer tells before decoding. */
export interface ParquetFooter {
  readonly numRows: number;
  readonly columns: readonly FooterColumn[];
  readonly rowGroups: readonly RowGroupRange[];
  /** length of the thrift metadata (without the trailing 8 bytes) */
  readonly metadataLength: number;
}

/** Raised when the bytes are not a readable parquet file. */
export class ParquetFormatError extends Error {
  override name = 'ParquetFormatError';
}

const PHYSICAL_TYPES = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];
const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** True when the 4 bytes at `offset` spell PAR1. */
export function hasMagic(bytes: Uint8Array, offset: number): boolean {
  return MAGIC.every((b, i) => bytes[offset + i] === b);
}

/** Length of the thrift metadata, read from the last 8 bytes of the file. */
export function footerLength(tail8: Uint8Array, fileName: string): number {
  if (tail8.length < 8 || !hasMagic(tail8, tail8.length - 4)) {
    throw new ParquetFormatError(
      `"${fileName}" is truncated or not a parquet file: it does not end with the PAR1 marker; export it again (e.g. pandas.to_parquet) or pick another file`,
    );
  }
  const at = tail8.length - 8;
  return (tail8[at]! | (tail8[at + 1]! << 8) | (tail8[at + 2]! << 16)) + tail8[at + 3]! * 2 ** 24;
}

/** A minimal Thrift compact-protocol reader: enough to walk FileMetaData and page headers. */
export class CompactReader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new ParquetFormatError('parquet footer ends early');
    return this.b[this.pos++]!;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new ParquetFormatError('bad varint in parquet footer');
    }
  }
  zigzag(): number {
    const n = this.varint();
    // zigzag on numbers beyond 2^31 cannot use bit ops
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  binary(): Uint8Array {
    const len = this.varint();
    const out = this.b.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  string(): string {
    return new TextDecoder().decode(this.binary());
  }
  /** Reads a struct, calling `onField(id, type)` for each field; it must consume or skip the value. */
  struct(onField: (id: number, type: number) => boolean): void {
    let lastId = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return;
      const type = head & 0x0f;
      const delta = head >> 4;
      const id = delta === 0 ? this.zigzag() : lastId + delta;
      lastId = id;
      if (!onField(id, type)) this.skip(type);
    }
  }
  list(onItem: (type: number) => void): void {
    const head = this.byte();
    let size = head >> 4;
    const type = head & 0x0f;
    if (size === 15) size = this.varint();
    for (let i = 0; i < size; i++) onItem(type);
  }
  skip(type: number): void {
    switch (type) {
      case 1: case 2: return; // bool true/false are in the type nibble
      case 3: this.pos += 1; return; // byte
      case 4: case 5: case 6: this.varint(); return; // i16, i32, i64
      case 7: this.pos += 8; return; // double
      case 8: this.binary(); return;
      case 9: case 10: this.list((t) => this.skip(t)); return; // list, set
      case 11: { // map
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) { this.skip(kv >> 4); this.skip(kv & 0x0f); }
        return;
      }
      case 12: this.struct(() => false); return;
      default: throw new ParquetFormatError(`unknown thrift type ${type} in parquet footer`);
    }
  }
}

interface SchemaElement { name: string; type: number | null; numChildren: number }

/** Parses the thrift FileMetaData bytes (the footer without its trailing 8 bytes). */
export function parseFooter(meta: Uint8Array): ParquetFooter {
  const r = new CompactReader(meta);
  let numRows = 0;
  const schema: SchemaElement[] = [];
  const rowGroups: RowGroupRange[] = [];
  r.struct((id, type) => {
    if (id === 2 && type === 9) {
      r.list(() => {
        const el: SchemaElement = { name: '', type: null, numChildren: 0 };
        r.struct((fid, ftype) => {
          if (fid === 1 && ftype === 5) { el.type = r.zigzag(); return true; }
          if (fid === 4 && ftype === 8) { el.name = r.string(); return true; }
          if (fid === 5 && ftype === 5) { el.numChildren = r.zigzag(); return true; }
          return false;
        });
        schema.push(el);
      });
      return true;
    }
    if (id === 3 && type === 6) { numRows = r.zigzag(); return true; }
    if (id === 4 && type === 9) {
      r.list(() => rowGroups.push(readRowGroup(r)));
      return true;
    }
    return false;
  });
  const columns = leafColumns(schema);
  if (!Number.isSafeInteger(numRows) || numRows < 0) throw new ParquetFormatError(`the footer claims ${numRows} rows; the file is damaged`);
  let groupRows = 0;
  for (const [i, rg] of rowGroups.entries()) {
    if (!Number.isSafeInteger(rg.rows) || rg.rows < 0) throw new ParquetFormatError(`row group ${i} claims ${rg.rows} rows; the file is damaged`);
    if (rg.chunks.length !== columns.length) {
      throw new ParquetFormatError(`row group ${i} has ${rg.chunks.length} column chunks for ${columns.length} columns; the file is damaged`);
    }
    groupRows += rg.rows;
  }
  if (groupRows !== numRows) {
    throw new ParquetFormatError(`the footer claims ${numRows.toLocaleString('en-US')} rows but its row groups hold ${groupRows.toLocaleString('en-US')}; the file is damaged, export it again`);
  }
  return { numRows, columns, rowGroups, metadataLength: meta.length };
}

function readRowGroup(r: CompactReader): RowGroupRange {
  let start = Infinity;
  let end = 0;
  let rows = 0;
  let compressed = 0;
  const chunks: ColumnChunkRange[] = [];
  r.struct((id, type) => {
    if (id === 1 && type === 9) {
      r.list(() => {
        r.struct((cid, ctype) => {
          if (cid === 3 && ctype === 12) {
            let dataPage = -1;
            let dictPage = -1;
            let size = 0;
            let uncompressed = 0;
            let values = 0;
            r.struct((mid, mtype) => {
              if (mid === 5 && mtype === 6) { values = r.zigzag(); return true; }
              if (mid === 6 && mtype === 6) { uncompressed = r.zigzag(); return true; }
              if (mid === 7 && mtype === 6) { size = r.zigzag(); return true; }
              if (mid === 9 && mtype === 6) { dataPage = r.zigzag(); return true; }
              if (mid === 11 && mtype === 6) { dictPage = r.zigzag(); return true; }
              return false;
            });
            const chunkStart = dictPage > 0 && dictPage < dataPage ? dictPage : dataPage;
            start = Math.min(start, chunkStart);
            end = Math.max(end, chunkStart + size);
            compressed += size;
            chunks.push({ start: chunkStart, end: chunkStart + size, uncompressedBytes: uncompressed, values });
            return true;
          }
          return false;
        });
      });
      return true;
    }
    if (id === 3 && type === 6) { rows = r.zigzag(); return true; }
    return false;
  });
  return { start: Number.isFinite(start) ? start : 4, end, rows, compressedBytes: compressed, chunks };
}

/** Leaf columns with their dotted path names (nested groups are flattened the way Arrow names them). */
function leafColumns(schema: readonly SchemaElement[]): FooterColumn[] {
  const out: FooterColumn[] = [];
  let i = 1; // element 0 is the root
  const walk = (prefix: string): void => {
    const el = schema[i++];
    if (!el) return;
    const name = prefix ? `${prefix}.${el.name}` : el.name;
    if (el.numChildren > 0) {
      for (let c = 0; c < el.numChildren; c++) walk(name);
    } else {
      out.push({ name, physicalType: PHYSICAL_TYPES[el.type ?? -1] ?? 'UNKNOWN' });
    }
  };
  const root = schema[0];
  for (let c = 0; c < (root?.numChildren ?? 0); c++) walk('');
  return out;
}
