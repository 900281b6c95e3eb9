import { ChangeFeed, type ChangeFeedOptions } from '../feed/change-feed.js';
import { type ConnectionOptions, HttpTransport } from '../http.js';
import { readNdjson } from './ndjson.js';
import type {
  AlertJson,
  ApiJson,
  AuditEventJson,
  AuditQuery,
  AuditVerifyJson,
  ChangeJson,
  CreateApiInput,
  CreatedTokenJson,
  CreateTokenInput,
  ListTokensQuery,
  Page,
  RevokedTokenJson,
  RevokeInput,
  TokenJson,
  UpdateTokenInput,
  VerifyInput,
  VerifyResponseJson,
  WebhookJson,
} from './types.js';

export type ClientOptions = ConnectionOptions;

/** The typed management client returned by {@link createClient}. */
export type GatehouseClient = ReturnType<typeof createClient>;

const seg = encodeURIComponent;

/**
 * A typed client for the Gatehouse management API (CONTRACT §3). Every method throws
 * `GatehouseApiError` (with the problem `code`, `status`, `detail`) for an error answer and
 * `GatehouseUnavailableError` when the server cannot be reached.
 * @example
 * const gh = createClient({ url: 'http://127.0.0.1:8080', token: process.env.GATEHOUSE_TOKEN! });
 * const { token, id } = await gh.tokens.create({ name: 'ci', scopes: ['orders:read'], ttlSeconds: 3600 });
 * await gh.tokens.revoke(id, { wait: true });
 */
export function createClient(options: ClientOptions) {
  const http = new HttpTransport(options);
  const pages = <T>(path: string, query: Record<string, string | number | undefined>) =>
    async function* all(): AsyncGenerator<T> {
      let cursor: string | undefined = query.cursor as string | undefined;
      do {
        const page: Page<T> = await http.json(path, { query: { ...query, cursor } });
        yield* page.items;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    };

  return {
    apis: {
      create: (input: CreateApiInput): Promise<ApiJson> =>
        http.json('/v1/apis', { method: 'POST', body: input }),
      list: async (): Promise<ApiJson[]> => {
        const answer = await http.json<ApiJson[] | { items: ApiJson[] }>('/v1/apis');
        return Array.isArray(answer) ? answer : answer.items;
      },
    },
    tokens: {
      create: (input: CreateTokenInput): Promise<CreatedTokenJson> =>
        http.json('/v1/tokens', { method: 'POST', body: input }),
      list: (query: ListTokensQuery = {}): Promise<Page<TokenJson>> =>
        http.json('/v1/tokens', { query: { ...query } }),
      /** Every token matching the query, following `nextCursor`. */
      listAll: (query: Omit<ListTokensQuery, 'cursor'> = {}): AsyncGenerator<TokenJson> =>
        pages<TokenJson>('/v1/tokens', { ...query })(),
      get: (id: string): Promise<TokenJson> => http.json(`/v1/tokens/${seg(id)}`),
      update: (id: string, patch: UpdateTokenInput): Promise<TokenJson> =>
        http.json(`/v1/tokens/${seg(id)}`, { method: 'PATCH', body: patch }),
      revoke: (id: string, input: RevokeInput = {}): Promise<RevokedTokenJson> =>
        http.json(`/v1/tokens/${seg(id)}/revoke`, { method: 'POST', body: input }),
      rotate: (id: string, input: { overlapSeconds?: number } = {}): Promise<CreatedTokenJson> =>
        http.json(`/v1/tokens/${seg(id)}/rotate`, { method: 'POST', body: input }),
    },
    subjects: {
      revoke: (subject: string): Promise<{ revoked: number }> =>
        http.json(`/v1/subjects/${seg(subject)}/revoke`, { method: 'POST', body: {} }),
    },
    /** One server-side verification (no cache). For request paths use `createVerifier`. */
    verify: (token: string, input: VerifyInput = {}): Promise<VerifyResponseJson> =>
      http.json('/v1/verify', { method: 'POST', body: { token, ...input } }),
    events: {
      list: (query: { after?: number; limit?: number } = {}) =>
        http.json<{ items: ChangeJson[]; lastSeq: number }>('/v1/events', { query }),
      ack: (subscriberId: string, seq: number): Promise<void> =>
        http.json('/v1/events/ack', { method: 'POST', body: { subscriberId, seq } }),
      /** Subscribes to the SSE change feed; call `close()` on the result to stop. */
      subscribe: (feed: Omit<ChangeFeedOptions, keyof ConnectionOptions>): ChangeFeed => {
        const subscription = new ChangeFeed({ ...options, ...feed });
        subscription.start();
        return subscription;
      },
    },
    audit: {
      list: (query: AuditQuery = {}): Promise<Page<AuditEventJson>> =>
        http.json('/v1/audit', { query: { ...query } }),
      /** Streams `GET /v1/audit/export` (NDJSON) one event at a time, without buffering it all. */
      export: async function* exportEvents(
        query: Omit<AuditQuery, 'cursor' | 'limit'> = {},
      ): AsyncGenerator<AuditEventJson> {
        const response = await http.send('/v1/audit/export', { query: { ...query } });
        yield* readNdjson<AuditEventJson>(response);
      },
      verify: (): Promise<AuditVerifyJson> =>
        http.json('/v1/audit/verify', { method: 'POST', body: {} }),
    },
    alerts: {
      list: (query: { status?: string } = {}): Promise<Page<AlertJson>> =>
        http.json('/v1/alerts', { query }),
      ack: (id: string): Promise<AlertJson> =>
        http.json(`/v1/alerts/${seg(id)}/ack`, { method: 'POST', body: {} }),
    },
    webhooks: {
      create: (input: { url: string; events: string[] }): Promise<WebhookJson> =>
        http.json('/v1/webhooks', { method: 'POST', body: input }),
    },
    keys: {
      rotate: (): Promise<Record<string, unknown>> =>
        http.json('/v1/keys/rotate', { method: 'POST', body: {} }),
    },
  };
}
