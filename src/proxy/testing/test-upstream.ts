import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

export interface TestUpstream {
  url: string;
  seen: SeenRequest[];
  /** Resolves once the upstream has read the first body chunk of a POST /stream-in. */
  firstChunkIn: () => Promise<void>;
  /** Lets a GET /stream-out response finish (its first chunk is sent immediately). */
  finishStreamOut: () => void;
  close(): Promise<void>;
}

/**
 * A small upstream for proxy tests: `/slow` never answers, `/stream-in` proves request bodies are
 * streamed (first chunk arrives before the client finished), `/stream-out` the same for
 * responses; everything else answers JSON describing what arrived (and echoes the body size).
 * @example const upstream = await startTestUpstream(); …; await upstream.close();
 */
export async function startTestUpstream(): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  let chunkIn!: () => void;
  const chunkInPromise = new Promise<void>((resolve) => {
    chunkIn = resolve;
  });
  const streamOutWaiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const record: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bodyBytes: 0,
    };
    seen.push(record);
    if (req.url === '/slow') return; // never answers: the proxy's timeout must fire
    if (req.url === '/stream-out') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first-chunk\n');
      streamOutWaiters.push(() => res.end('last-chunk\n'));
      return;
    }
    req.on('data', (chunk: Buffer) => {
      if (record.bodyBytes === 0 && req.url === '/stream-in') chunkIn();
      record.bodyBytes += chunk.length;
    });
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        bodyBytes: record.bodyBytes,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    firstChunkIn: () => chunkInPromise,
    finishStreamOut: () => {
      for (const finish of streamOutWaiters.splice(0)) finish();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
