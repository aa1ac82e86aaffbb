import type { Client } from 'pg';

/** Write activity and size of one table of the bench database, for the whole run. */
export interface TableActivity {
  table: string;
  inserted: number;
  updated: number;
  /** Updates that stayed on the same page without index changes: the cheap kind. */
  hotUpdated: number;
  deadRows: number;
  megabytes: number;
}

/**
 * The ingest tables' counters since the database was created (pg_stat_user_tables; Postgres
 * flushes them with a short delay, so treat them as approximate). Report partitions are
 * summed as "reports".
 */
export async function tableActivity(db: Client): Promise<TableActivity[]> {
  const { rows } = await db.query<{
    table: string;
    inserted: string;
    updated: string;
    hot_updated: string;
    dead_rows: string;
    bytes: string;
  }>(
    `SELECT CASE WHEN relname LIKE 'reports\\_p%' THEN 'reports' ELSE relname END AS table,
            sum(n_tup_ins) AS inserted, sum(n_tup_upd) AS updated, sum(n_tup_hot_upd) AS hot_updated,
            sum(n_dead_tup) AS dead_rows, sum(pg_total_relation_size(relid)) AS bytes
     FROM pg_stat_user_tables
     WHERE relname IN ('instances', 'check_states', 'check_transitions', 'services', 'hosts', 'backends') OR relname LIKE 'reports\\_p%'
     GROUP BY 1 ORDER BY sum(pg_total_relation_size(relid)) DESC`,
  );
  return rows.map((r) => ({
    table: r.table,
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    hotUpdated: Number(r.hot_updated),
    deadRows: Number(r.dead_rows),
    megabytes: Math.round(Number(r.bytes) / 1e5) / 10,
  }));
}
