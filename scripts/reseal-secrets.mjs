#!/usr/bin/env node
// `npm run secrets:reseal` [-- --dry-run]: re-seals every stored secret under the current
// FAULTLINE_SECRET_KEY, so that the keys in FAULTLINE_SECRET_KEYS can be retired.
//
// Rotation, step by step:
//   1. deploy with FAULTLINE_SECRET_KEY=<new key> and FAULTLINE_SECRET_KEYS=<old key>
//      (new secrets are sealed under the new key, old ones still open under the old);
//   2. run this (same environment, DATABASE_URL included);
//   3. when it reports nothing left under another key, drop FAULTLINE_SECRET_KEYS.
//
// Reads the same environment as the api and worker, from the build in dist/ (npm run build).
// Each value is replaced only if it did not change meanwhile (compare-and-set), so it is safe
// to run while Faultline runs, and again. Channels sealed before secret names were stored in
// clear get their names filled in. Values no configured key opens are listed (table, id, the
// key id they name) and left as they are; the exit code is then 1. Never prints a secret.
import { fileURLToPath } from 'node:url';

import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => `${root}dist/libs/platform/src/${path}`;

/** Every sealed column Faultline stores: table, key column, sealed column. */
const SEALED = [
  { table: 'poll_targets', id: 'id', column: 'headers_sealed' },
  { table: 'poll_targets', id: 'id', column: 'url_sealed' },
  { table: 'notification_channels', id: 'id', column: 'secrets_sealed', names: 'secret_names' },
  { table: 'push_sources', id: 'id', column: 'secret_sealed' },
];

async function main() {
  const dryRun = process.argv.includes('--dry-run');
  const { loadConfig } = await import(dist('config/config.schema.js'));
  const { SecretBox } = await import(dist('crypto/secret-box.js'));
  const config = loadConfig();
  const box = SecretBox.fromConfig(config);
  if (!box.available) throw new Error('FAULTLINE_SECRET_KEY is not set: nothing to seal under');

  const db = new pg.Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  let unopened = 0;
  try {
    console.log(`re-sealing under key ${box.keyId}${dryRun ? ' (dry run: nothing written)' : ''}`);
    for (const spec of SEALED) {
      if (!(await hasColumn(db, spec.table, spec.column))) {
        console.log(`${spec.table}.${spec.column}: no such column (run npm run migrate first)`);
        continue;
      }
      const outcome = await resealColumn(db, box, spec, dryRun);
      unopened += outcome.failed.length;
      console.log(
        `${spec.table}.${spec.column}: ${outcome.resealed} re-sealed, ${outcome.current} already under the current key` +
          (spec.names ? `, ${outcome.named} named` : '') +
          (outcome.failed.length ? `, ${outcome.failed.length} cannot be opened` : ''),
      );
      for (const { id, reason } of outcome.failed) console.log(`  ${spec.table} ${id}: ${reason}`);
    }
  } finally {
    await db.end();
  }
  if (unopened > 0) {
    console.log(
      `${unopened} value(s) left as they are: configure their key in FAULTLINE_SECRET_KEYS`,
    );
    process.exitCode = 1;
  }
}

async function hasColumn(db, table, column) {
  const { rows } = await db.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return rows.length > 0;
}

async function resealColumn(db, box, { table, id, column, names }, dryRun) {
  const outcome = { resealed: 0, current: 0, named: 0, failed: [] };
  const nameColumn = names ? `, ${names} AS names` : '';
  const { rows } = await db.query(
    `SELECT ${id} AS id, ${column} AS sealed${nameColumn} FROM ${table} WHERE ${column} IS NOT NULL ORDER BY ${id}`,
  );
  for (const row of rows) {
    const needsNames = names !== undefined && row.names === null;
    if (!box.needsReseal(row.sealed) && !needsNames) {
      outcome.current += 1;
      continue;
    }
    let plain;
    try {
      plain = box.open(row.sealed);
    } catch (e) {
      // The box's messages name key ids, never values.
      const reason = e instanceof Error && e.name !== 'SyntaxError' ? e.message : 'not readable';
      outcome.failed.push({ id: row.id, reason });
      continue;
    }
    const resealed = box.needsReseal(row.sealed) ? box.seal(plain) : row.sealed;
    const secretNames = needsNames ? Object.keys(JSON.parse(plain)).sort() : null;
    if (!dryRun) {
      const sets = [`${column} = $3`];
      const params = [row.id, row.sealed, resealed];
      if (needsNames) {
        sets.push(`${names} = $4`);
        params.push(secretNames);
      }
      const { rowCount } = await db.query(
        `UPDATE ${table} SET ${sets.join(', ')} WHERE ${id} = $1 AND ${column} = $2`,
        params,
      );
      // Changed meanwhile (saved again through the API): already sealed under the current key.
      if (rowCount === 0) continue;
    }
    if (resealed !== row.sealed) outcome.resealed += 1;
    else outcome.current += 1;
    if (needsNames) outcome.named += 1;
  }
  return outcome;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
