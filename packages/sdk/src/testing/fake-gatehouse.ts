import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type Clock,
  generateToken,
  hashToken,
  ManualClock,
  secureRandom,
  staticCheck,
} from '@gatehouse/core';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { ChangeJson } from '../client/types.js';

/** A token the fake knows. Times are epoch ms on the fake's clock. */
export interface FakeToken {
  tokenId: string;
  api: string;
  subject: string | null;
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
  metadata: Record<string, unknown>;
  ipAllowlist: string[] | null;
  /** When set, verify answers RATE_LIMITED with this Retry-After (and `cacheable: false`). */
  rateLimitedFor?: number;
  version: number;
}

export const FAKE_MANAGEMENT_TOKEN = 'fake-management-credential';

/**
 * A small in-memory Gatehouse speaking exactly the remote-verifier protocol of
 * docs/architecture.md: `POST /v1/verify`, `GET /v1/events/stream` (SSE, hello, Last-Event-ID),
 * `POST /v1/events/ack`, `GET /.well-known/jwks.json`. Tests drive it directly (issue, revoke…).
 * @example const fake = await FakeGatehouse.start(); const { token } = fake.issue({ scopes: ['a:b'] });
 */
export class FakeGatehouse {
  readonly clock: ManualClock;
  readonly tokens = new Map<string, FakeToken>();
  readonly changes: ChangeJson[] = [];
  readonly acks: Array<{ subscriberId: string; seq: number }> = [];
  readonly streamRequests: Array<{ lastEventId: string | undefined }> = [];
  verifyCalls = 0;
  /** When true every request's socket is destroyed: the server looks unreachable. */
  unreachable = false;
  private readonly streams = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private nextId = 1;
  private privateKey!: CryptoKey;
  private publicJwk!: Record<string, unknown>;
  private hold: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    clock: ManualClock,
  ) {
    this.clock = clock;
  }

  static async start(options: { clock?: ManualClock } = {}): Promise<FakeGatehouse> {
    const server = createServer();
    const fake = new FakeGatehouse(server, options.clock ?? new ManualClock());
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    fake.privateKey = privateKey;
    fake.publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get clockSource(): Clock {
    return this.clock;
  }

  /** Creates a token (emitting `token.created`) and returns its secret. */
  issue(fields: Partial<FakeToken> & { prefix?: string } = {}): {
    token: string;
    record: FakeToken;
  } {
    const token = generateToken({ prefix: fields.prefix ?? 'gth', random: secureRandom });
    const record: FakeToken = {
      tokenId: `tok_${this.nextId++}`,
      api: 'default',
      subject: 'user_1',
      scopes: ['orders:read'],
      expiresAt: null,
      revokedAt: null,
      metadata: {},
      ipAllowlist: null,
      version: 1,
      ...fields,
    };
    this.tokens.set(hashToken(token), record);
    this.emit('token.created', record.tokenId, hashToken(token));
    return { token, record };
  }

  revoke(token: string): ChangeJson {
    const hash = hashToken(token);
    const record = this.tokens.get(hash);
    if (!record) throw new Error('unknown token');
    record.revokedAt = this.clock.now();
    record.version += 1;
    return this.emit('token.revoked', record.tokenId, hash);
  }

  /** Deletes a token without any event, as if it never existed. */
  forget(token: string): void {
    this.tokens.delete(hashToken(token));
  }

  /** Revokes a JWT by its `jti` and emits `jwt.revoked` (tokenId = jti). */
  revokeJwt(jti: string): ChangeJson {
    const record = this.jwtRecord(`jwt:${jti}`);
    record.revokedAt = this.clock.now();
    this.tokens.set(`jwt:${jti}`, record);
    return this.emit('jwt.revoked', jti, null);
  }

  /** Signs a JWT the way the server would (EdDSA, typ at+jwt). */
  async signJwt(claims: JWTPayload = {}, header: { typ?: string } = {}): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ scope: 'orders:read', ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: header.typ ?? 'at+jwt' })
      .setIssuer(this.url)
      .setAudience('default')
      .setSubject('svc_1')
      .setJti(`jti_${this.nextId++}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(this.privateKey);
  }

  emit(type: string, tokenId: string | null, tokenHash: string | null): ChangeJson {
    const change: ChangeJson = {
      seq: this.changes.length + 1,
      type,
      tokenId,
      tokenHash,
      apiId: 'api_default',
      time: new Date(this.clock.now()).toISOString(),
      data: {},
    };
    this.changes.push(change);
    for (const stream of this.streams) writeChange(stream, change);
    return change;
  }

  /** Cuts every open event stream (the client should reconnect with Last-Event-ID). */
  dropStreams(): void {
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
  }

  /** Holds verify answers until the returned release function is called. */
  holdVerify(): () => void {
    let release!: () => void;
    this.hold = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      this.hold = undefined;
      release();
    };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.unreachable) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/.well-known/jwks.json')
      return json(res, 200, { keys: [this.publicJwk] });
    if (req.headers.authorization !== `Bearer ${FAKE_MANAGEMENT_TOKEN}`) {
      return json(res, 401, { status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    }
    if (req.method === 'POST' && url.pathname === '/v1/verify') return this.verify(req, res);
    if (req.method === 'POST' && url.pathname === '/v1/events/ack') {
      this.acks.push((await readJson(req)) as { subscriberId: string; seq: number });
      res.statusCode = 204;
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/events/stream') return this.stream(req, res);
    json(res, 404, { status: 404, code: 'NOT_FOUND', title: 'Not Found' });
  }

  private async verify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.verifyCalls += 1;
    const body = (await readJson(req)) as { token: string; scopes?: string[]; ip?: string };
    const answer = this.decide(body);
    await this.hold; // computed now, delivered later: lets tests stage the fill race
    json(res, 200, answer);
  }

  private decide(body: { token: string; scopes?: string[]; ip?: string }): Record<string, unknown> {
    const payload = /^[^.]+\.([^.]+)\./.exec(body.token)?.[1];
    const key = payload
      ? `jwt:${(JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti}`
      : hashToken(body.token);
    const record = this.tokens.get(key) ?? (payload ? this.jwtRecord(key) : undefined);
    if (!record) return { valid: false, code: 'NOT_FOUND' };
    const denial = staticCheck({
      token: { ...record, maxUses: null, uses: 0 },
      now: this.clock.now(),
      requiredScopes: body.scopes,
      ip: body.ip,
    });
    if (denial) return { ...denial };
    if (record.rateLimitedFor !== undefined) {
      return { valid: false, code: 'RATE_LIMITED', retryAfterSeconds: record.rateLimitedFor };
    }
    const expiresAt = record.expiresAt === null ? null : new Date(record.expiresAt).toISOString();
    const { tokenId, api, subject, scopes, metadata, ipAllowlist, version } = record;
    return {
      valid: true,
      tokenId,
      api,
      subject,
      scopes,
      expiresAt,
      metadata,
      version,
      cacheable: true,
      ipAllowlist,
    };
  }

  /** JWTs signed by {@link signJwt} are known unless revoked through `tokens` under `jwt:<jti>`. */
  private jwtRecord(key: string): FakeToken {
    return {
      tokenId: key.slice(4),
      api: 'default',
      subject: 'svc_1',
      scopes: ['orders:read'],
      expiresAt: null,
      revokedAt: null,
      metadata: {},
      ipAllowlist: null,
      version: 1,
    };
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : undefined;
    this.streamRequests.push({ lastEventId });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const head = this.changes.length;
    res.write(
      `event: hello\ndata: ${JSON.stringify({ subscriberId: `sub_${this.streamRequests.length}`, seq: head })}\n\n`,
    );
    if (lastEventId !== undefined) {
      for (const change of this.changes.slice(Number(lastEventId))) writeChange(res, change);
    }
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }
}

function writeChange(res: ServerResponse, change: ChangeJson): void {
  res.write(`id: ${change.seq}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}
