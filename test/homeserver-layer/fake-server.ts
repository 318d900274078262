// A tiny scripted HTTP server on 127.0.0.1 for the homeserver-layer tests: each request is
// answered by a handler that sees method, path (still encoded), query, headers and JSON body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SeenRequest = {
  method: string;
  /** As sent, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
};

export type Reply =
  | { status: number; json?: unknown; html?: string; headers?: Record<string, string> }
  | { drop: true }
  | { hang: true }
  /** A JSON body sent chunked (no Content-Length), a piece every `intervalMs`: a slow or endless answer. */
  | { status: number; chunks: string[]; intervalMs: number };

export type Handler = (request: SeenRequest) => Reply;

export type FakeServer = {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
};

export async function startFakeServer(handler: Handler | Reply[]): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const script = Array.isArray(handler) ? [...handler] : null;
  const answer = (request: SeenRequest): Reply => {
    if (script === null) return (handler as Handler)(request);
    return script.shift() ?? { status: 500, json: { errcode: 'M_UNKNOWN', error: 'script exhausted' } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        body: raw === '' ? undefined : JSON.parse(raw),
      };
      requests.push(seen);
      const reply = answer(seen);
      if ('drop' in reply) {
        req.socket.destroy();
        return;
      }
      if ('hang' in reply) return;
      if ('chunks' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        const pieces = [...reply.chunks];
        const next = () => {
          if (res.destroyed) return;
          const piece = pieces.shift();
          if (piece === undefined) return void res.end();
          res.write(piece);
          setTimeout(next, reply.intervalMs).unref();
        };
        next();
        return;
      }
      if (reply.html !== undefined) {
        res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', ...reply.headers });
        res.end(reply.html);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Twisted's 404 page, as Synapse 1.67 sends for paths it does not serve outside /_synapse/admin. */
export const TWISTED_404 =
  '<html>\n  <head><title>404 - No Such Resource</title></head>\n  <body>\n    <h1>No Such Resource</h1>\n    <p>Sorry. No luck finding that resource.</p>\n  </body>\n</html>\n';
