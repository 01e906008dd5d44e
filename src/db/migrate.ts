// Applies the committed SQL migrations in drizzle/ at start-up.
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from './client.js';

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant works; it only has to be the same for every TutorKit instance.
const MIGRATION_LOCK = 7_243_905;

export async function applyMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder });
    return;
  }
  // Several instances may start at once against one server: let one migrate at a time.
  await database.exclusively(MIGRATION_LOCK, () => migratePg(database.db as never, { migrationsFolder }));
}
