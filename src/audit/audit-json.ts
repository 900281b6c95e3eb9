import type { AuditEventJson } from '@gatehouse/core';
import type { AuditRecord } from '../store/audit-repo.js';

/** Export lines also carry the chain fields, so an export can be verified offline. */
export interface AuditExportJson extends AuditEventJson {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The contract shape of an audit event.
 * @example toAuditJson(record) // { id: 'evt_…', time: '2026-01-01T00:00:00.000Z', type: 'token.verified', … }
 */
export function toAuditJson(record: AuditRecord): AuditEventJson {
  const out: AuditEventJson = {
    id: record.id,
    time: new Date(record.time).toISOString(),
    type: record.type,
    nodeId: record.nodeId,
  };
  if (record.tokenId !== null) out.tokenId = record.tokenId;
  if (record.subject !== null) out.subject = record.subject;
  if (record.api !== null) out.api = record.api;
  if (record.actor !== null) out.actor = record.actor;
  if (record.ip !== null) out.ip = record.ip;
  if (record.userAgent !== null) out.userAgent = record.userAgent;
  if (record.method !== null) out.method = record.method;
  if (record.path !== null) out.path = record.path;
  if (record.status !== null) out.status = record.status;
  if (record.result !== null) out.result = record.result;
  if (record.latencyMs !== null) out.latencyMs = record.latencyMs;
  if (record.details !== null) out.details = JSON.parse(record.details) as Record<string, unknown>;
  return out;
}

/** {@link toAuditJson} plus `seq`, `prevHash`, `hash`. */
export function toAuditExportJson(record: AuditRecord): AuditExportJson {
  return { ...toAuditJson(record), seq: record.seq, prevHash: record.prevHash, hash: record.hash };
}

export type { AuditEventJson };
