// Bulk INSERTs for the seed: one array per column, the same on PGlite and server PostgreSQL.
import { getTableColumns, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../src/db/client.js';

type Executor = Pick<Db, 'execute'>;

// Rows per INSERT: big enough that round trips do not matter, small enough to keep each statement's arrays a few MB.
const ROWS_PER_INSERT = 10_000;

/**
 * Inserts rows as one array per column: `insert ... select ... from unnest($1::uuid[], ...)`.
 * A statement has one parameter per column however many rows it carries, so it is cheap to
 * build, send and plan (a VALUES list of 5,000 rows costs ~35,000 parameter objects), and it
 * runs the same on PGlite and server PostgreSQL. Each array is sent as a text literal, so neither
 * driver's own array conversion is involved.
 */
export async function insertInChunks<T extends PgTable>(db: Executor, table: T, list: T['$inferInsert'][]): Promise<void> {
  if (list.length === 0) return;
  const first = list[0] as Record<string, unknown>;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const names = sql.join(columns.map(([, column]) => sql.identifier(column.name)), sql`, `);
  const aliases = sql.join(columns.map((_, i) => sql.identifier(`c${i}`)), sql`, `);
  // An array column travels as an array of its rows' literals, cast back per row.
  const picks = sql.join(columns.map(([, column], i) => (isArrayColumn(column) ? sql`${sql.identifier(`c${i}`)}::${sql.raw(column.getSQLType())}` : sql.identifier(`c${i}`))), sql`, `);
  for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
    const chunk = list.slice(i, i + ROWS_PER_INSERT) as Record<string, unknown>[];
    const arrays = columns.map(([key, column]) => {
      const literal = toArrayLiteral(chunk.map((row) => (row[key] == null ? null : column.mapToDriverValue(row[key]))));
      return sql`${literal}::${sql.raw(isArrayColumn(column) ? 'text' : column.getSQLType())}[]`;
    });
    await db.execute(sql`insert into ${table} (${names}) select ${picks} from unnest(${sql.join(arrays, sql`, `)}) as u(${aliases})`);
  }
}

const isArrayColumn = (column: PgColumn) => column.getSQLType().endsWith('[]');

/** A PostgreSQL array literal: {"a","b",NULL}. Strings are quoted, so any text is safe in it. */
function toArrayLiteral(values: unknown[]): string {
  const items = values.map((value) => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}
