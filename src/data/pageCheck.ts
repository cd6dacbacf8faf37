/**
 * Walks the pages of a column chunk before parquet-wasm sees them: every page header must parse and every page
 * must end inside its chunk (a cut or shifted page would otherwise trap the wasm decoder with "unreachable"), and
 * a page whose header carries a CRC-32 must match it (a flipped bit in PLAIN doubles would load as a changed value).
 */
import { CompactReader, ParquetFormatError, type ColumnChunkRange } from './parquetFooter.ts';

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib and parquet compute it) of `bytes`, as a signed 32-bit integer like the page header's. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) | 0;
}

interface PageHeader {
  compressedSize: number;
  crc: number | null;
  headerBytes: number;
}

function readPageHeader(bytes: Uint8Array): PageHeader {
  const r = new CompactReader(bytes);
  let compressedSize = -1;
  let crc: number | null = null;
  r.struct((id, type) => {
    if (id === 3 && type === 5) { compressedSize = r.zigzag(); return true; }
    if (id === 4 && type === 5) { crc = r.zigzag(); return true; }
    return false;
  });
  return { compressedSize, crc, headerBytes: r.pos };
}

/** What `checkChunkPages` found: pages walked and how many carried a CRC. */
export interface PageCheck {
  readonly pages: number;
  readonly checksummed: number;
}

/** Checks every page of `chunk` in `file` (whole-file bytes); throws `ParquetFormatError` naming the column and row group. */
export function checkChunkPages(file: Uint8Array, chunk: ColumnChunkRange, where: { column: string; rowGroup: number; fileName: string }): PageCheck {
  const at = `"${where.fileName}" column "${where.column}", row group ${where.rowGroup}`;
  let pos = chunk.start;
  let pages = 0;
  let checksummed = 0;
  while (pos < chunk.end) {
    let header: PageHeader;
    try {
      header = readPageHeader(file.subarray(pos, chunk.end));
    } catch {
      throw new ParquetFormatError(`${at}: page ${pages + 1} has an unreadable header at byte ${pos}; the file is damaged or was cut, export it again`);
    }
    const bodyStart = pos + header.headerBytes;
    const bodyEnd = bodyStart + header.compressedSize;
    if (header.compressedSize < 0 || bodyEnd > chunk.end) {
      throw new ParquetFormatError(`${at}: page ${pages + 1} runs past the end of its column chunk (byte ${bodyEnd} of ${chunk.end}); the file was cut mid-page, export it again`);
    }
    if (header.crc !== null) {
      checksummed++;
      if (crc32(file.subarray(bodyStart, bodyEnd)) !== header.crc) {
        throw new ParquetFormatError(`${at}: page ${pages + 1} fails its CRC check; the bytes changed after writing (a bad disk or transfer), fetch or export the file again`);
      }
    }
    pages++;
    pos = bodyEnd;
  }
  return { pages, checksummed };
}
