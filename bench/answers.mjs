// answers.mjs — what the benchmarks share to compare Floe's answers with DuckDB's: Floe's CSV
// output parsed, and rows in a canonical text form (numbers without trailing zeros, NULL as
// NULL), sorted, so that two answers compare as multisets.
// RFC 4180 CSV (DESIGN.md "CSV output"): header, then rows; NULL is an empty unquoted field.
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') { quoted = true; wasQuoted = true; }
    else if (c === ',') { row.push(field === '' && !wasQuoted ? null : field); field = ''; wasQuoted = false; }
    else if (c === '\n') {
      row.push(field === '' && !wasQuoted ? null : field);
      rows.push(row); row = []; field = ''; wasQuoted = false;
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return { header: rows[0] ?? [], rows: rows.slice(1) };
}

export function canonicalCell(value) {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'object' && typeof value.toString === 'function' ? value.toString() : String(value);
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    let [whole, fraction = ''] = text.replace(/^-/, '').split('.');
    fraction = fraction.replace(/0+$/, '');
    whole = whole.replace(/^0+(?=\d)/, '');
    const magnitude = fraction ? `${whole}.${fraction}` : whole;
    return magnitude === '0' ? '0' : (text.startsWith('-') ? '-' : '') + magnitude;
  }
  return text;
}

export const canonicalRows = (rows) => rows.map((row) => row.map(canonicalCell).join('|')).sort();
