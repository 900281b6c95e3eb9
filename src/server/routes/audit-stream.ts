import type { ServerResponse } from 'node:http';
import { toAuditJson } from '../../audit/audit-json.js';
import { matchesAuditFilter, parseAuditStreamQuery } from '../../audit/audit-query.js';
import {
  auditHeadPosition,
  decodeFollowPosition,
  encodeFollowPosition,
  type FollowPosition,
  pollAudit,
} from '../../audit/follow-audit.js';
import type { AuditFilter } from '../../store/audit-repo.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors } from '../schemas/common.js';
import { auditQuerySchema, parseAuditQuery } from './audit-query-error.js';

const POLL_MS = 250;
const PING_MS = 15_000;

/**
 * `GET /v1/audit/stream?tokenId=&subject=&type=&result=` (audit:read): Server-Sent Events, one
 * `audit` event per new event (every node's, read from the store in each node's chain order),
 * `: ping` every 15 s. `id:` is an opaque position; reconnect with `Last-Event-ID` to resume
 * without gaps. What `gatehouse audit tail` follows.
 */
export function auditStreamRoute(app: GatehouseApp, ctx: AppContext): void {
  const open = new Set<() => void>();
  // Streams never go idle: end them first so a graceful shutdown does not wait on them.
  app.addHook('preClose', (done) => {
    for (const end of open) end();
    done();
  });
  app.get(
    '/v1/audit/stream',
    {
      onRequest: ctx.auth.onRequest('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Follow audit events live (SSE)',
        querystring: auditQuerySchema(['tokenId', 'subject', 'type', 'result']),
        response: managementErrors,
      },
    },
    async (request, reply) => {
      const filter = parseAuditQuery(() =>
        parseAuditStreamQuery(request.query as Record<string, unknown>),
      );
      const header = request.headers['last-event-id'];
      let position: FollowPosition | undefined;
      if (header !== undefined) {
        position = typeof header === 'string' ? decodeFollowPosition(header.trim()) : undefined;
        if (!position) {
          throw new GatehouseError('invalid_request', 'Last-Event-ID is not an audit stream id', {
            field: 'headers.last-event-id',
          });
        }
      }
      position ??= await auditHeadPosition(ctx.store.db);
      reply.hijack();
      const end = follow(ctx, reply.raw, position, filter, () => open.delete(end));
      open.add(end);
    },
  );
}

function follow(
  ctx: AppContext,
  res: ServerResponse,
  position: FollowPosition,
  filter: AuditFilter,
  onClose: () => void,
): () => void {
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`event: hello\nid: ${encodeFollowPosition(position)}\ndata: {}\n\n`);
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  ping.unref();
  const stop = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    clearTimeout(timer);
    onClose();
  };
  res.on('close', stop);
  const tick = async (): Promise<void> => {
    try {
      // Each event's id is the position just after it, so a resume never skips nor repeats.
      const cursor = { ...position };
      const { events } = await pollAudit(ctx.store.db, position);
      for (const record of events) {
        if (closed) return;
        cursor[record.nodeId] = record.seq;
        if (!matchesAuditFilter(record, filter)) continue;
        const data = JSON.stringify(toAuditJson(record));
        res.write(`id: ${encodeFollowPosition(cursor)}\nevent: audit\ndata: ${data}\n\n`);
      }
    } catch (error) {
      ctx.logger.warn({ err: error }, 'audit stream poll failed');
    }
    if (!closed) {
      timer = setTimeout(() => void tick(), POLL_MS);
      timer.unref();
    }
  };
  void tick();
  return () => {
    stop();
    res.end();
  };
}
