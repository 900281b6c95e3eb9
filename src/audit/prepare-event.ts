import { type Clock, type RandomSource, timeOrderedId } from '@gatehouse/core';
import type { AuditEventInput } from './audit-sink.js';
import { canonicalJson, type UnchainedRecord } from './hash-chain.js';
import { scrubDetails, scrubOptional } from './scrub-secrets.js';

/**
 * Turns caller input into a storable event: id, time, node, scrubbed strings, canonical details.
 * Latency is rounded to microseconds so the number survives both databases' round trip exactly.
 * @example prepareEvent({ type: 'token.created', tokenId }, { nodeId, clock, random })
 */
export function prepareEvent(
  input: AuditEventInput,
  context: { nodeId: string; clock: Clock; random: RandomSource },
): UnchainedRecord {
  const details =
    input.details && Object.keys(input.details).length > 0 ? serializeDetails(input.details) : null;
  const time = Math.trunc(input.time ?? context.clock.now());
  return {
    id: timeOrderedId('event', time, context.random),
    nodeId: context.nodeId,
    time,
    type: input.type,
    actor: input.actor ?? null,
    tokenId: input.tokenId ?? null,
    subject: scrubOptional(input.subject),
    api: input.api ?? null,
    ip: input.ip ?? null,
    userAgent: scrubOptional(input.userAgent),
    method: input.method ?? null,
    path: scrubOptional(input.path),
    status: finiteOrNull(input.status, 1),
    result: input.result ?? null,
    latencyMs: finiteOrNull(input.latencyMs, 1000),
    details,
  };
}

function finiteOrNull(value: number | null | undefined, scale: number): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Math.round(value * scale) / scale;
}

function serializeDetails(details: Record<string, unknown>): string {
  try {
    return canonicalJson(scrubDetails(details));
  } catch {
    // A cycle or a BigInt must not wedge the batch it is in: keep the event, flag the details.
    return canonicalJson({ unserializable: true });
  }
}
