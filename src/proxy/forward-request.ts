import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { isIdentityHeader } from './identity-headers.js';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection; undici also refuses most of them.
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'authorization',
]);

export interface ForwardInput {
  dispatcher: Dispatcher;
  req: IncomingMessage;
  res: ServerResponse;
  /** Upstream base path ('' or '/base'), prepended to the request target. */
  basePath: string;
  /** Identity headers to add (already trusted). */
  extraHeaders: Record<string, string>;
  /** Response headers the proxy adds (HSTS). */
  responseHeaders: Record<string, string>;
  clientIp: string | undefined;
  secure: boolean;
}

/** How forwarding ended: the status the client saw, and the failure when there was one. */
export interface ForwardResult {
  status: number;
  error?: 'upstream_unreachable' | 'upstream_timeout' | 'client_aborted' | 'upstream_aborted';
}

const TIMEOUTS: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Streams one request to the upstream and its response back, without buffering either body.
 * Upstream failures become 502 (unreachable, reset) or 504 (timeout) when nothing was sent yet;
 * after the status line went out the only honest signal left is to cut the connection.
 * @example const { status } = await forwardRequest({ dispatcher: pool, req, res, basePath: '', ... });
 */
export async function forwardRequest(input: ForwardInput): Promise<ForwardResult> {
  const { req, res } = input;
  const abort = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  let status = 0;
  try {
    await input.dispatcher.stream(
      {
        path: input.basePath + (req.url ?? '/'),
        method: req.method as Dispatcher.HttpMethod,
        headers: upstreamHeaders(input),
        body: hasBody(req) ? req : null,
        signal: abort.signal,
      },
      ({ statusCode, headers }) => {
        status = statusCode;
        res.writeHead(statusCode, { ...responseHeaders(headers), ...input.responseHeaders });
        return res;
      },
    );
    return { status };
  } catch (error) {
    if (abort.signal.aborted) return { status: 499, error: 'client_aborted' };
    const code = (error as { code?: string }).code ?? '';
    const timeout = TIMEOUTS.has(code);
    if (res.headersSent) {
      res.destroy();
      return { status, error: timeout ? 'upstream_timeout' : 'upstream_aborted' };
    }
    const failed = timeout ? 504 : 502;
    const body = JSON.stringify({
      error: timeout ? 'upstream_timeout' : 'bad_gateway',
      error_description: timeout ? 'the upstream did not answer in time' : 'the upstream failed',
    });
    res.writeHead(failed, { 'content-type': 'application/json', ...input.responseHeaders });
    res.end(body);
    return { status: failed, error: timeout ? 'upstream_timeout' : 'upstream_unreachable' };
  } finally {
    res.off('close', onClose);
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function upstreamHeaders(input: ForwardInput): Record<string, string | string[]> {
  const incoming = input.req.headers;
  const named = connectionTokens(incoming);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || isIdentityHeader(name)) continue;
    if (named?.has(name)) continue;
    out[name] = value;
  }
  const forwardedFor = incoming['x-forwarded-for'];
  if (input.clientIp)
    out['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${input.clientIp}` : input.clientIp;
  out['x-forwarded-proto'] = input.secure ? 'https' : 'http';
  if (incoming.host) out['x-forwarded-host'] = incoming.host;
  return Object.assign(out, input.extraHeaders);
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'connection' || name === 'keep-alive') continue;
    if (name === 'transfer-encoding' || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionTokens(headers: IncomingHttpHeaders): Set<string> | null {
  const value = headers.connection;
  if (!value) return null;
  return new Set(value.split(',').map((t) => t.trim().toLowerCase()));
}
