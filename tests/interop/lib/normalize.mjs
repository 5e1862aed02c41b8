// normalize.mjs — DuckDB values and Floe's JSON lines, both turned into one canonical text per
// value, so a Parquet file read by each can be compared value by value.
//
// Canonical text = Floe's text rules (kernels/value_text.h): the DuckDB side is converted from
// DuckDB's value objects, independently of Floe's C code. Normalizations where the two type
// mappings legitimately differ (each is a difference of type, never of value):
//   - FLOAT: both sides compared as float32 (Math.fround) — DuckDB hands out the float widened
//     to a JS double, Floe prints the shortest float32 text; DOUBLE compared exactly (tolerance 0).
//   - nan / inf / -inf: Floe writes JSON strings "nan", "inf", "-inf"; DuckDB gives NaN/Infinity.
//   - integers and unsigned: compared as decimal digits (Floe prints UBIGINT as DECIMAL(20,0),
//     UINTEGER as BIGINT; DuckDB keeps UBIGINT/UINTEGER).
//   - TIMESTAMPTZ: both in UTC without a zone suffix (DuckDB's text adds "+00").
//   - TIMESTAMP_MS / TIMESTAMP_NS / INT96: Floe stores microseconds (ns floored); DuckDB keeps
//     the unit, converted here with the same floor.
//   - BLOB, UUID, FIXED_LEN_BYTE_ARRAY: every byte as \xHH (DuckDB's BLOB text leaves printable
//     bytes unescaped; a UUID is its 16 bytes).
//   - TIME: Floe has no TIME type and reads it as BIGINT microseconds of the day.
import {
  DuckDBTimestampValue, DuckDBDateValue,
} from '@duckdb/node-api';

const hex = (bytes) => Array.from(bytes, (b) => '\\x' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

function floatText(x, single) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(single ? Math.fround(x) : x) + (Object.is(x, -0) ? '(-0)' : '');
}

function floorDiv(a, b) {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function decimalText(value, scale) {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (negative ? '-' : '') + digits;
}

const timestampText = (micros) => new DuckDBTimestampValue(micros).toString();

// One DuckDB value of a column whose DuckDB type text is `type` → canonical text (or null).
export function duckdbCanonical(value, type) {
  if (value === null || value === undefined) return null;
  if (type === 'FLOAT') return floatText(value, true);
  if (type === 'DOUBLE') return floatText(value, false);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  const name = value.constructor?.name;
  switch (name) {
    case 'DuckDBDecimalValue': return decimalText(value.value, value.scale);
    case 'DuckDBDateValue': return value.toString();
    case 'DuckDBTimestampValue':
    case 'DuckDBTimestampMicrosecondsValue':
    case 'DuckDBTimestampTZValue': return timestampText(value.micros);
    case 'DuckDBTimestampMillisecondsValue': return timestampText(value.millis * 1000n);
    case 'DuckDBTimestampNanosecondsValue': return timestampText(floorDiv(value.nanos, 1000n));
    case 'DuckDBTimestampSecondsValue': return timestampText(value.seconds * 1000000n);
    case 'DuckDBBlobValue': return hex(value.bytes);
    case 'DuckDBUUIDValue': {
      const text = value.toString().replace(/-/g, '');
      return hex(Buffer.from(text, 'hex'));
    }
    case 'DuckDBTimeValue': return value.micros.toString();
    default: return String(value);
  }
}

// A minimal JSON reader for Floe's JSON lines that keeps numbers as their source text (JSON.parse
// would round integers beyond 2^53).
export function parseJsonLine(text) {
  let i = 0;
  const fail = (what) => { throw new Error(`bad JSON at ${i} (${what}): ${text.slice(0, 200)}`); };
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const object = {}; ws();
      if (text[i] === '}') { i++; return object; }
      for (;;) {
        ws(); const key = string(); ws();
        if (text[i++] !== ':') fail('colon');
        object[key] = value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return object; }
        fail('object');
      }
    }
    if (c === '"') return { string: string() };
    if (text.startsWith('null', i)) { i += 4; return null; }
    if (text.startsWith('true', i)) { i += 4; return { literal: 'true' }; }
    if (text.startsWith('false', i)) { i += 5; return { literal: 'false' }; }
    const start = i;
    while (i < text.length && /[-+0-9.eE]/.test(text[i])) i++;
    if (i === start) fail('value');
    return { number: text.slice(start, i) };
  }
  function string() {
    if (text[i] !== '"') fail('string');
    const start = i;
    i++;
    while (text[i] !== '"') { if (text[i] === '\\') i++; i++; if (i >= text.length) fail('eof'); }
    i++;
    return JSON.parse(text.slice(start, i));
  }
  const result = value();
  return result;
}

// One Floe JSON value (as parseJsonLine returns it) → canonical text for DuckDB type `type`.
export function floeCanonical(parsed, type) {
  if (parsed === null) return null;
  const text = parsed.string ?? parsed.number ?? parsed.literal;
  if (type === 'FLOAT' || type === 'DOUBLE') {
    const x = text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
    return floatText(x, type === 'FLOAT');
  }
  return text;
}

export { hex, DuckDBDateValue };
