import type { AuditEventJson, AuditQuery } from '@gatehouse/sdk';
import type { Command } from 'commander';
import { followAudit } from '../audit-follow.js';
import { CliError, EXIT } from '../cli-error.js';
import { connectionFromEnv, toCliError, withClient } from '../connection.js';
import { pointInTime } from '../option-parsers.js';
import { note, printJson, writeOut } from '../output.js';

interface FilterFlags {
  type?: string;
  result?: string;
  tokenId?: string;
  subject?: string;
  since?: string;
  until?: string;
  json?: boolean;
}

/**
 * One human line per event: time, type, result, token, subject, request.
 * @example auditLine(event) // '2026-05-01T12:00:00.000Z  token.verified  VALID  tok_1  alice'
 */
export function auditLine(event: AuditEventJson): string {
  const request = [
    event.method,
    event.path,
    event.status,
    event.latencyMs !== undefined ? `${event.latencyMs}ms` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  return [
    event.time,
    event.type,
    event.result ?? '-',
    event.tokenId ?? '-',
    event.subject ?? '-',
    request,
  ]
    .join('  ')
    .trimEnd();
}

function filters(flags: FilterFlags): Omit<AuditQuery, 'cursor' | 'limit'> & { result?: string } {
  return {
    ...(flags.type !== undefined && { type: flags.type }),
    ...(flags.result !== undefined && { result: flags.result }),
    ...(flags.tokenId !== undefined && { tokenId: flags.tokenId }),
    ...(flags.subject !== undefined && { subject: flags.subject }),
    ...(flags.since !== undefined && { since: flags.since }),
    ...(flags.until !== undefined && { until: flags.until }),
  };
}

function withFilters(command: Command): Command {
  return command
    .option('--type <type>', 'only this event type, e.g. token.revoked')
    .option('--token-id <id>', 'only events about this token')
    .option('--subject <subject>', 'only events about this subject')
    .option('--result <code>', 'only this verify result, e.g. VALID or REVOKED');
}

/** `event evt_… (node node_…, seq 12, 2026-…): hash_mismatch`, from `firstBadEvent`. */
function describeBad(bad: unknown): string {
  if (!bad || typeof bad !== 'object') return 'an unknown event';
  const { id, nodeId, seq, time, reason } = bad as Record<string, unknown>;
  const where = [nodeId && `node ${nodeId}`, seq !== undefined && `seq ${seq}`, time]
    .filter(Boolean)
    .join(', ');
  return `event ${id ?? '(deleted)'} (${where}): ${reason ?? 'invalid'}`;
}

/** `gatehouse audit tail|export|verify`. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('follow, export and verify the audit trail');

  withFilters(audit.command('tail'))
    .description('follow audit events live (Ctrl-C to stop)')
    .option('--json', 'print each event as one JSON line (NDJSON)')
    .action(async (flags: FilterFlags) => {
      const connection = connectionFromEnv();
      const stop = new AbortController();
      const abort = () => stop.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      try {
        await followAudit({
          connection,
          query: filters(flags),
          signal: stop.signal,
          onEvent: (event) =>
            writeOut(`${flags.json ? JSON.stringify(event) : auditLine(event)}\n`),
        });
      } catch (error) {
        if (!stop.signal.aborted) throw toCliError(error, connection.url);
      } finally {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
    });

  audit
    .command('export')
    .description('write events in a time range as NDJSON (oldest first) to stdout')
    .option('--since <time>', 'from this time (ISO 8601) or span ago (24h, 7d)', (text) =>
      pointInTime(text),
    )
    .option('--until <time>', 'up to this time (ISO 8601) or span ago', (text) => pointInTime(text))
    .action(async (flags: FilterFlags) => {
      if (process.stdout.isTTY)
        note(
          'Writing NDJSON to the terminal; redirect it: gatehouse audit export … > audit.ndjson',
        );
      const count = await withClient(async (gh) => {
        let written = 0;
        for await (const event of gh.audit.export(filters(flags))) {
          await writeOut(`${JSON.stringify(event)}\n`);
          written++;
        }
        return written;
      });
      note(`Exported ${count} event${count === 1 ? '' : 's'}.`);
    });

  audit
    .command('verify')
    .description('recompute the hash chain; exit 1 when an event was altered or removed')
    .option('--json', "print the API's JSON answer")
    .action(async (flags: { json?: boolean }) => {
      const result = await withClient((gh) => gh.audit.verify());
      if (flags.json) printJson(result);
      if (result.ok === true) {
        if (!flags.json)
          process.stdout.write(`Audit chain intact: ${result.checked} events checked.\n`);
        return;
      }
      if (!flags.json)
        process.stdout.write(`Audit chain BROKEN at ${describeBad(result.firstBadEvent)}\n`);
      throw new CliError('audit chain verification failed: the trail was altered', EXIT.found);
    });
}
