import type { Kysely } from 'kysely';
import { insertAuditRecords, lockChainHead, setChainHead } from '../store/audit-repo.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { chainRecords, GENESIS_HASH, type UnchainedRecord } from './hash-chain.js';

/**
 * Appends events to their node's chain inside `tx`: lock the head, chain, insert, move the head.
 * Every writer of a node goes through here (management transactions and usage batches alike), so
 * whichever commits first extends the chain and the other continues from its head.
 * Call it last in a management transaction: the head lock is then held for the shortest time and
 * always after the transaction's other locks (no lock-order cycles).
 * @example await store.write((tx) => appendToChain(tx, store, nodeId, [event], clock.now()));
 */
export async function appendToChain(
  tx: Kysely<Database>,
  store: Pick<Store, 'dialect' | 'sqlite'>,
  nodeId: string,
  events: readonly UnchainedRecord[],
  now: number,
): Promise<number> {
  if (events.length === 0) return 0;
  const head = await lockChainHead(tx, store.dialect, nodeId, GENESIS_HASH, now);
  const chained = chainRecords(head, events);
  await insertAuditRecords(tx, chained.records, store.sqlite);
  await setChainHead(tx, nodeId, chained.head, now);
  return chained.head.seq;
}
