// Description: icebird, the independent Iceberg reader the other interop tests trust, reads the
// Spark-written fixture lineitem_iceberg (through the local-file fetch shim) and gives TPC-H Q6
// = 1077536.9101, as Spark says. If this fails, the reference itself (or the shim) is broken and
// no icebird-based verdict on Floe's tables can be trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { icebergRead } from 'icebird';
import { installLocalFetch } from './lib/local_fetch.mjs';

const tableDir = fileURLToPath(new URL('../data/iceberg/lineitem_iceberg', import.meta.url));

test('icebird reads lineitem_iceberg and TPC-H Q6 matches Spark', async () => {
  // The fixture stores paths as "lineitem_iceberg/..." relative to its writer's working folder.
  installLocalFetch((path) =>
    path.startsWith('lineitem_iceberg/') ? tableDir + path.slice('lineitem_iceberg'.length) : path);
  const rows = await icebergRead({ tableUrl: tableDir });
  let revenue = 0;
  for (const row of rows) {
    const shipped = row.l_shipdate.toISOString().slice(0, 10);
    if (shipped >= '1994-01-01' && shipped < '1995-01-01' && row.l_discount >= 0.05 &&
        row.l_discount <= 0.07 && row.l_quantity < 24) {
      revenue += row.l_extendedprice * row.l_discount;
    }
  }
  assert.equal(revenue.toFixed(4), '1077536.9101');
});
