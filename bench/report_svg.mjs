// report_svg.mjs — `make bench`'s report: reads the JSON reports that bench/refresh_bench.mjs
// wrote for each lake (one per history size) and writes, into OUT_DIR,
//   refresh.csv               one row per (history, table, delta): times, ratios, modes, reads
//   report.md                 the tables, history growth, freshness, load, and the plots
//   refresh-vs-delta.svg      refresh time against delta rows (log-log), on the largest lake:
//                             incremental (solid) and Floe full (dashed) per table
//   refresh-vs-history.svg    refresh time against history rows (log-log) at a 1% delta:
//                             incremental (solid) and Floe full (dashed) per table
//
//   node bench/report_svg.mjs OUT_DIR REPORT.json ...
//
// The SVG is written by hand (no plotting library): axes at powers of ten, one polyline per
// series, a legend. The last line of stdout is one JSON object (the reports, combined).
import fs from 'node:fs';
import path from 'node:path';

const [outDir, ...inputs] = process.argv.slice(2);
if (!outDir || inputs.length === 0) {
  console.error('usage: node bench/report_svg.mjs OUT_DIR REPORT.json ...');
  process.exit(2);
}
const reports = inputs.map((file) => JSON.parse(fs.readFileSync(file, 'utf8'))).sort((a, b) => (a.rows ?? 0) - (b.rows ?? 0));
fs.mkdirSync(outDir, { recursive: true });

// ---- CSV ----------------------------------------------------------------------------------------

const columns = ['lake_rows', 'table', 'label', 'delta_percent', 'delta_rows', 'history_rows', 'history_files',
  'repeats', 'mode', 'incremental_s', 'incremental_engine_ms', 'incremental_rss_mb', 'rows_read', 'files_read',
  'bytes_read', 'rows_written', 'buckets_touched', 'bucket_count', 'floe_full_s', 'floe_full_engine_ms', 'floe_full_rss_mb', 'duckdb_1t_s',
  'duckdb_2t_s', 'vs_floe_full', 'vs_duckdb_1t', 'vs_duckdb_2t', 'meets_target', 'check', 'answer_rows'];
const csvCell = (value) => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const csv = [columns.join(',')];
for (const report of reports) {
  for (const row of report.results ?? []) csv.push(columns.map((c) => csvCell(c === 'lake_rows' ? report.rows : row[c])).join(','));
}
fs.writeFileSync(path.join(outDir, 'refresh.csv'), `${csv.join('\n')}\n`);

// ---- SVG ----------------------------------------------------------------------------------------

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function countText(value) {
  if (value >= 1e9) return `${value / 1e9}G`;
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

function secondsText(value) {
  return value >= 1 ? `${value} s` : `${Number((value * 1000).toPrecision(3))} ms`;
}

// series: [{ name, color, dashed, points: [[x, y], ...] }] with x, y > 0; log axes both ways.
function logLogPlot({ title, xLabel, yLabel, series, xText, yText }) {
  const width = 760, height = 460, left = 70, right = 230, top = 40, bottom = 56;
  const points = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (points.length === 0) return null;
  const lo = (values) => Math.floor(Math.log10(Math.min(...values)));
  const hi = (values) => Math.max(lo(values) + 1, Math.ceil(Math.log10(Math.max(...values))));
  const [x0, x1] = [lo(points.map((p) => p[0])), hi(points.map((p) => p[0]))];
  const [y0, y1] = [lo(points.map((p) => p[1])), hi(points.map((p) => p[1]))];
  const plotWidth = width - left - right, plotHeight = height - top - bottom;
  const sx = (x) => left + ((Math.log10(x) - x0) / (x1 - x0)) * plotWidth;
  const sy = (y) => top + plotHeight - ((Math.log10(y) - y0) / (y1 - y0)) * plotHeight;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left + plotWidth / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`];
  for (let e = x0; e <= x1; e++) {
    const x = sx(10 ** e);
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotHeight}" stroke="#ddd"/>`,
      `<text x="${x}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeXml(xText(10 ** e))}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = sy(10 ** e);
    out.push(`<line x1="${left}" y1="${y}" x2="${left + plotWidth}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${escapeXml(yText(Number((10 ** e).toPrecision(1))))}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  series.forEach((s, i) => {
    const kept = s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (kept.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${kept.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of kept) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = top + 8 + i * 18;
    out.push(`<line x1="${left + plotWidth + 12}" y1="${ly}" x2="${left + plotWidth + 36}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${left + plotWidth + 42}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const tableKeys = [...new Set(reports.flatMap((r) => (r.results ?? []).map((row) => row.table)))];
const colorOf = (key) => palette[tableKeys.indexOf(key) % palette.length];
const largest = reports[reports.length - 1];

const plots = [];
const byDelta = logLogPlot({
  title: `Refresh time against delta size (history ${countText(largest.rows)} orders)`,
  xLabel: 'delta (rows appended)', yLabel: 'refresh time', xText: countText, yText: secondsText,
  series: tableKeys.flatMap((key) => {
    const rows = (largest.results ?? []).filter((r) => r.table === key);
    return [
      { name: `${key} incremental`, color: colorOf(key), points: rows.map((r) => [r.delta_rows, r.incremental_s]) },
      { name: `${key} Floe full`, color: colorOf(key), dashed: true, points: rows.map((r) => [r.delta_rows, r.floe_full_s]) },
    ];
  }),
});
if (byDelta) { fs.writeFileSync(path.join(outDir, 'refresh-vs-delta.svg'), byDelta); plots.push('refresh-vs-delta.svg'); }

const atOnePercent = (key) => reports.map((report) => (report.results ?? []).find((r) => r.table === key && r.delta_percent === 1))
  .filter((r) => r !== undefined);
const byHistory = logLogPlot({
  title: 'Refresh time against history size (delta = 1% of the history)',
  xLabel: 'history (orders)', yLabel: 'refresh time', xText: countText, yText: secondsText,
  series: tableKeys.flatMap((key) => [
    { name: `${key} incremental`, color: colorOf(key), points: atOnePercent(key).map((r) => [r.history_rows, r.incremental_s]) },
    { name: `${key} Floe full`, color: colorOf(key), dashed: true, points: atOnePercent(key).map((r) => [r.history_rows, r.floe_full_s]) },
  ]),
});
if (byHistory) { fs.writeFileSync(path.join(outDir, 'refresh-vs-history.svg'), byHistory); plots.push('refresh-vs-history.svg'); }

// ---- Markdown -----------------------------------------------------------------------------------

const s = (v) => (v === null || v === undefined ? '-' : v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);
const x = (v) => (v === null || v === undefined ? '-' : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`);
const mb = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(0)} MB`);
const bytes = (b) => (b === null || b === undefined ? '-' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
const target = (r) => {
  if (!r.target) return '';
  const parts = [];
  if (r.target.floe) parts.push(`≥${r.target.floe}× full`);
  if (r.target.duck) parts.push(`≥${r.target.duck}× DuckDB 2t`);
  return `${parts.join(', ')}: ${r.meets_target ? 'met' : '**missed**'}`;
};

const md = ['# Floe refresh benchmark', '',
  'Incremental refresh after an append, against Floe\'s own full refresh (`refresh --full`) and DuckDB\'s full ',
  'recompute (`COPY (query) TO` Parquet over the same data files, 1 and 2 threads), on the same history, ',
  'in one run (bench/refresh_bench.mjs). Floe times are whole `floe-engine` processes; chain members are ',
  'timed by the engine\'s own floe.duration-ms (they refresh in one process), and DuckDB recomputes each of them from ',
  'the sources (gold and platinum have no materialized upstream in DuckDB). Every incremental repeat appends ',
  'a fresh delta, so the history grows during the run; each row gives the history it was measured on. ',
  'Mode is what the refresh line said. Answers were checked against DuckDB after every delta.', ''];
for (const report of reports) {
  md.push(`## ${countText(report.rows)} orders (${report.order_files} files, ${countText(report.customers)} customers)`, '',
    `Median of ${report.repeat} appends (${report.repeat_large} at 10%), full recompute median of ${report.full_repeat}; ` +
    `load average ${report.load_average_start?.join(' ')} at the start, ${report.load_average_end?.join(' ')} at the end, on ${report.cpus ?? '?'} CPUs.`, '',
    '| table | delta | history | mode | incremental (engine) | Floe full | DuckDB 1t | DuckDB 2t | full / incr | DuckDB 2t / incr | peak RSS incr / full | read (rows, files, bytes) | state buckets | target |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of report.results ?? []) {
    md.push(`| ${r.table} | ${r.delta_percent}% (${r.delta_rows}) | ${r.history_rows} | ${r.mode} | ${s(r.incremental_s)} (${r.incremental_engine_ms ?? '-'} ms) | ${s(r.floe_full_s)} | ` +
      `${s(r.duckdb_1t_s)} | ${s(r.duckdb_2t_s)} | ${x(r.vs_floe_full)} | ${x(r.vs_duckdb_2t)} | ` +
      `${mb(r.incremental_rss_mb)} / ${mb(r.floe_full_rss_mb)} | ${r.rows_read}, ${r.files_read}, ${bytes(r.bytes_read)} | ` +
      `${r.bucket_count === null || r.bucket_count === undefined ? '-' : `${r.buckets_touched} of ${r.bucket_count}`} | ${target(r)} |`);
  }
  md.push('');
  if (report.growth) {
    md.push('History growth: the same delta on a history 10× smaller (target: ratio ≤ 1.3).', '',
      '| table | delta | small history | refresh | large history | refresh | ratio |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const g of report.growth) {
      md.push(`| ${g.table} | ${g.delta_rows} | ${g.small_history_rows} | ${s(g.small_s)} | ${g.large_history_rows} | ${s(g.large_s)} | ${g.ratio ? `${g.ratio.toFixed(2)}×` : '-'} |`);
    }
    md.push('');
  }
  if (report.freshness) {
    const f = report.freshness;
    if (!f.available) md.push(`Freshness: ${f.note}.`, '');
    else {
      md.push(`Freshness under \`floe-engine run\`: ${f.commits} appends of ${f.append_rows} rows to a ${countText(f.history_rows)}-row source, ` +
        `from the source snapshot's timestamp to the dynamic table snapshot that consumed it (${f.note}).`, '',
        '| mode | interval | measured | median | p99 |', '|---|---:|---:|---:|---:|');
      for (const [mode, m] of Object.entries(f.modes)) md.push(`| ${mode} | ${m.interval_s} s | ${m.measured} | ${m.median_ms ?? '-'} ms | ${m.p99_ms ?? '-'} ms |`);
      md.push('');
    }
  }
  for (const failure of report.failures ?? []) md.push(`- FAILED: ${failure}`);
  if ((report.failures ?? []).length > 0) md.push('');
}
for (const plot of plots) md.push(`![${plot}](${plot})`, '');
fs.writeFileSync(path.join(outDir, 'report.md'), `${md.join('\n')}\n`);

const failures = reports.flatMap((r) => r.failures ?? []);
console.log(`wrote ${['refresh.csv', 'report.md', ...plots].map((f) => path.join(outDir, f)).join(', ')}`);
console.log(JSON.stringify({ benchmark: 'bench', lakes: reports.map((r) => r.rows), failures, reports }));
process.exitCode = failures.length > 0 ? 1 : 0;
