// Plain-TS decoder of the Parquet footer (Thrift compact protocol): schema names, row count,
// key/value metadata. Used by the metadata scan, which must never touch data pages.

// Thrift compact protocol types (parquet.thrift FileMetaData is encoded with it).
const T_BOOLEAN_TRUE = 1;
const T_BOOLEAN_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;

/** Minimal Thrift compact-protocol reader: enough to skip fields and read FileMetaData.num_rows. */
class CompactReader {
  position = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.position >= this.bytes.length) throw new Error('footer ends early');
    return this.bytes[this.position++]!;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  binary(): Uint8Array {
    const length = Number(this.varint());
    const start = this.position;
    this.position += length;
    if (this.position > this.bytes.length) throw new Error('footer ends early');
    return this.bytes.subarray(start, this.position);
  }
  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }
  skip(type: number): void {
    switch (type) {
      case T_BOOLEAN_TRUE: case T_BOOLEAN_FALSE: return;
      case T_BYTE: this.position += 1; return;
      case T_I16: case T_I32: case T_I64: this.varint(); return;
      case T_DOUBLE: this.position += 8; return;
      case T_BINARY: {
        const length = Number(this.varint()); // read before `position` (x += f() reads x first)
        this.position += length;
        return;
      }
      case T_LIST: case T_SET: {
        const header = this.byte();
        let size = header >> 4;
        if (size === 15) size = Number(this.varint());
        const elementType = header & 0x0f;
        const isBoolean = elementType === T_BOOLEAN_TRUE || elementType === T_BOOLEAN_FALSE;
        for (let i = 0; i < size; i++) this.skip(isBoolean ? T_BYTE : elementType);
        return;
      }
      case T_MAP: {
        const size = Number(this.varint());
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kinds >> 4);
          this.skip(kinds & 0x0f);
        }
        return;
      }
      case T_STRUCT: {
        for (;;) {
          const header = this.byte();
          if (header === 0) return;
          if ((header >> 4) === 0) this.zigzag();
          this.skip(header & 0x0f);
        }
      }
      default: throw new Error(`unknown thrift type ${type} at byte ${this.position}`);
    }
  }
}

/** What a Parquet footer says, as far as sweeplens needs it. */
export interface FooterFields {
  /** Footer key/value metadata (FileMetaData.key_value_metadata), without the ARROW:schema blob. */
  metadata: Map<string, string>;
  /** Top-level column names, in file order. */
  fields: string[];
  /** Total rows (FileMetaData.num_rows). */
  numRows: number;
}

const decoder = new TextDecoder();

/** Reads the fields of a struct, calling `onField` for each; it must consume the value or return false to skip it. */
function readStruct(reader: CompactReader, onField: (id: number, type: number) => boolean): void {
  let fieldId = 0;
  for (;;) {
    const header = reader.byte();
    if (header === 0) return;
    const delta = header >> 4;
    fieldId = delta === 0 ? Number(reader.zigzag()) : fieldId + delta;
    const type = header & 0x0f;
    if (!onField(fieldId, type)) reader.skip(type);
  }
}

function readListHeader(reader: CompactReader): { size: number; elementType: number } {
  const header = reader.byte();
  let size = header >> 4;
  if (size === 15) size = Number(reader.varint());
  return { size, elementType: header & 0x0f };
}

/**
 * Decodes the parts of a Thrift-encoded FileMetaData (parquet.thrift) that a metadata scan
 * needs: schema names (field 2, SchemaElement.name = 4, num_children = 5), num_rows (3) and
 * key_value_metadata (5: KeyValue key = 1, value = 2). Everything else is skipped.
 */
export function parseFileMetadata(footer: Uint8Array): FooterFields {
  const reader = new CompactReader(footer);
  const metadata = new Map<string, string>();
  const names: string[] = [];
  const children: number[] = [];
  let numRows = -1;
  readStruct(reader, (id, type) => {
    if (id === 2 && type === T_LIST) {
      const { size } = readListHeader(reader);
      for (let i = 0; i < size; i++) {
        let name = '';
        let childCount = 0;
        readStruct(reader, (fid, ftype) => {
          if (fid === 4 && ftype === T_BINARY) name = decoder.decode(reader.binary());
          else if (fid === 5 && ftype === T_I32) childCount = Number(reader.zigzag());
          else return false;
          return true;
        });
        names.push(name);
        children.push(childCount);
      }
      return true;
    }
    if (id === 3 && type === T_I64) {
      numRows = Number(reader.zigzag());
      return true;
    }
    if (id === 5 && type === T_LIST) {
      const { size } = readListHeader(reader);
      for (let i = 0; i < size; i++) {
        let key = '';
        let value = '';
        readStruct(reader, (fid, ftype) => {
          if (fid === 1 && ftype === T_BINARY) key = decoder.decode(reader.binary());
          else if (fid === 2 && ftype === T_BINARY) value = decoder.decode(reader.binary());
          else return false;
          return true;
        });
        if (key !== 'ARROW:schema') metadata.set(key, value);
      }
      return true;
    }
    return false;
  });
  if (numRows < 0 || names.length === 0) throw new Error('footer has no num_rows or schema');
  // Top-level fields are the root's children; nested groups are skipped with their descendants.
  const fields: string[] = [];
  let index = 1;
  const skipSubtree = (): void => {
    const count = children[index]!;
    index++;
    for (let c = 0; c < count; c++) skipSubtree();
  };
  for (let c = 0; c < children[0]! && index < names.length; c++) {
    fields.push(names[index]!);
    skipSubtree();
  }
  return { metadata, fields, numRows };
}
