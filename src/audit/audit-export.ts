import type { Kysely } from 'kysely';
import { type AuditFilter, type AuditRecord, listAuditRecords } from '../store/audit-repo.js';
import type { Database } from '../store/schema.js';

/**
 * Every event in a range, oldest first, read in keyset pages so memory stays flat however many
 * millions of rows the range holds.
 * @example for await (const record of exportAudit(store.db, { since })) out.write(JSON.stringify(record));
 */
export async function* exportAudit(
  db: Kysely<Database>,
  filter: AuditFilter,
  pageSize = 1000,
): AsyncGenerator<AuditRecord> {
  let cursor: { time: number; id: string } | undefined;
  for (;;) {
    const page = await listAuditRecords(db, filter, { limit: pageSize, cursor, order: 'asc' });
    yield* page;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    cursor = { time: last.time, id: last.id };
  }
}
