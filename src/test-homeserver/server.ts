// The HTTP server: one node:http server on 127.0.0.1 and a random port,
// routing to the client, media and admin APIs, with faults applied first and
// every request recorded. JSON is written the way each flavour writes it
// (Synapse: chunked, no Content-Length; Tuwunel: Content-Length).

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerAdminApi, unrecognized } from './admin-api.ts';
import { registerClientApi } from './client-api.ts';
import { MatrixError } from './errors.ts';
import type { FaultSpec } from './faults.ts';
import { Faults } from './faults.ts';
import type { Flavour, FlavourDescriptor } from './flavours.ts';
import { describeFlavour } from './flavours.ts';
import type { Reply, RequestContext, ServerState } from './http.ts';
import { decodeSegments, json, Router } from './http.ts';
import { DEFAULT_UPLOAD_LIMIT, registerMediaApi } from './media-api.ts';
import type { RateLimits } from './message-rate.ts';
import { limitExceeded, MessageRateLimiter } from './message-rate.ts';
import type { JsonObject } from './model.ts';
import { HomeserverModel } from './model.ts';
import { eventRoute, underMessageLimit } from './rate-limits.ts';
import { TaskScheduler } from './task-scheduler.ts';
import type { AdminRoomSettings } from './tuwunel-admin-room.ts';
import { installTuwunelAdminRoom } from './tuwunel-admin-room.ts';

export interface RecordedRequest {
  method: string;
  /** As received, still percent-encoded, without the query. */
  path: string;
  query: string;
  /** 0 when the request was dropped by a fault. */
  status: number;
  /** The owner of a valid access token, if one was sent. */
  userId: string | null;
}

export interface TestHomeserverOptions {
  flavour?: Flavour;
  serverName?: string;
  /** Overrides the reported version, e.g. tuwunel '1.8.0' for a server without the admin API, or '1.9.0 (abc1234)'. */
  version?: string;
  /** Tuwunel's admin room output settings (admin_output_max_events, admin_output_threads). */
  adminRoom?: AdminRoomSettings;
  /** Pause between the rooms of a user redaction task, so a test can see it running (default 0). */
  redactionStepMs?: number;
  /** How long a room deletion (DELETE /_synapse/admin/v2/rooms/{room}) runs, so a test can see it running (default 0). */
  roomDeletionMs?: number;
  /** The largest upload in bytes (`m.upload.size`); Synapse's default 50 MiB when absent. */
  uploadLimit?: number;
  /**
   * 'synapse-defaults': Synapse's default message rate limit (rc_message: 10 events at once, then
   * one every 5 s) for every event a user makes (sends, state, redactions, joins, leaves, invites,
   * room creation), honouring the admin API's per-user override (rate-limits.ts). 'off' (the
   * default), as on a server whose operator raised it, so that tests stay fast. Synapse flavours
   * only: starting a flavour without the limit (Tuwunel) with it throws.
   */
  rateLimits?: RateLimits;
}

export interface TestHomeserver {
  url: string;
  serverName: string;
  flavour: Flavour;
  /** The flavour's version string, as reported. */
  version: string;
  model: HomeserverModel;
  faults: Faults;
  requests: RecordedRequest[];
  /** The shared secret of POST /_synapse/admin/v1/register. */
  registrationSecret: string;
  close(): Promise<void>;
}

// Twisted's "No Such Resource" page, byte for byte the 167 bytes Synapse 1.67 sent.
const TWISTED_404 =
  '\n<html>\n  <head><title>404 - No Such Resource</title></head>\n  <body>\n    <h1>No Such Resource</h1>\n' +
  '    <p>Sorry. No luck finding that resource.</p>\n  </body>\n</html>\n';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bearerToken(req: IncomingMessage, query: URLSearchParams): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return query.get('access_token');
}

function sendReply(res: ServerResponse, reply: Reply, flavour: FlavourDescriptor): void {
  if (reply.kind === 'stream') {
    res.writeHead(reply.status, reply.headers);
    reply.body.pipe(res);
    return;
  }
  if (reply.kind === 'raw') {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    return;
  }
  const body = Buffer.from(JSON.stringify(reply.body));
  if (flavour.chunkedJson) {
    // write() before end() without a Content-Length makes Node send it chunked, as Twisted does.
    res.writeHead(reply.status, { ...reply.headers, 'Content-Type': 'application/json' });
    res.write(body);
    res.end();
  } else {
    res.writeHead(reply.status, { ...reply.headers, 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(body);
  }
}

/** Paths nobody routed: JSON under the Matrix/admin prefixes, Twisted's HTML page elsewhere on Synapse. */
function notRouted(ctx: RequestContext, wrongMethod: boolean): Reply {
  const { flavour } = ctx.state;
  const path = ctx.rawPath;
  if (path.startsWith('/_synapse/admin/')) {
    const err = unrecognized(ctx);
    return json(err.toJSON(), err.status);
  }
  const unrecognizedJson = json({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }, wrongMethod ? 405 : 404);
  if (path.startsWith('/_matrix/client/') || path.startsWith('/_matrix/media/')) return unrecognizedJson;
  if (!flavour.htmlNotFound) return unrecognizedJson;
  return {
    kind: 'raw',
    status: 404,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(TWISTED_404)) },
    body: Buffer.from(TWISTED_404),
  };
}

/** Server-level endpoints that depend on the flavour (version probes). */
function registerProbes(router: Router, flavour: FlavourDescriptor): void {
  if (flavour.federationVersion) {
    const name = flavour.flavour === 'tuwunel' ? 'Tuwunel' : 'Synapse';
    router.add('GET', '/_matrix/federation/v1/version', () => json({ server: { name, version: flavour.version } }));
  }
  if (flavour.tuwunelVersionEndpoint) {
    // src/api/client/tuwunel.rs: no /_conduwuit/ route in any Tuwunel tag.
    router.add('GET', '/_tuwunel/server_version', () => json({ name: 'Tuwunel', version: flavour.version }));
  }
}

/** Matrix paths accept r0 as well as v3. */
function canonicalPath(rawPath: string): string {
  return rawPath.replace(/^\/_matrix\/(client|media)\/r0\//, '/_matrix/$1/v3/');
}

export async function startTestHomeserver(opts: TestHomeserverOptions = {}): Promise<TestHomeserver> {
  const flavour = describeFlavour(opts.flavour ?? 'synapse-1.67', opts.version);
  const rateLimits = opts.rateLimits ?? 'off';
  if (rateLimits === 'synapse-defaults' && flavour.messageRateLimit === null) {
    const server = `${flavour.flavour.charAt(0).toUpperCase()}${flavour.flavour.slice(1)} ${flavour.version}`;
    throw new Error(`rateLimits: 'synapse-defaults' is Synapse's limiter; ${server} has no per-user message limit`);
  }
  const serverName = opts.serverName ?? 'test.local';
  const model = new HomeserverModel(serverName, flavour.roomVersion);
  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const state: ServerState = {
    model,
    flavour,
    url: '',
    registrationSecret: randomBytes(16).toString('hex'),
    closing: closing.signal,
    later,
    redactionStepMs: opts.redactionStepMs ?? 0,
    roomDeletionMs: opts.roomDeletionMs ?? 0,
    tasks: new TaskScheduler(),
    rateLimiter: new MessageRateLimiter(rateLimits === 'synapse-defaults' ? flavour.messageRateLimit : null, model.rateLimitOverrides),
    uploadLimit: opts.uploadLimit ?? DEFAULT_UPLOAD_LIMIT,
  };

  const router = new Router();
  registerClientApi(router);
  registerMediaApi(router, flavour.authenticatedMedia);
  registerProbes(router, flavour);
  registerAdminApi(router);
  if (flavour.adminRoom) installTuwunelAdminRoom(model, later, opts.adminRoom);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const queryString = q < 0 ? '' : url.slice(q + 1);
    const query = new URLSearchParams(queryString);
    const method = req.method ?? 'GET';
    const tokenString = bearerToken(req, query);
    const token = tokenString === null ? null : (model.tokenInfo(tokenString) ?? null);
    const record: RecordedRequest = { method, path: rawPath, query: queryString, status: 0, userId: token?.userId ?? null };
    requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));

    const fault: FaultSpec | undefined = faults.take(method, rawPath, { userId: record.userId });
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'latency') await new Promise((r) => setTimeout(r, fault.latencyMs ?? 1000));
    const body = await readBody(req);
    const ctx: RequestContext = { state, req, method, rawPath, query, params: {}, body, token, tokenSent: tokenString !== null };
    // Faults that look at the body are found once it is read.
    if (fault?.kind === 'lost-answer' || (fault === undefined && faults.take(method, rawPath, { userId: record.userId, body })?.kind === 'lost-answer')) {
      await route(ctx); // the work is done; the answer never leaves
      return;
    }
    let reply: Reply;
    if (fault?.kind === 'status') {
      reply = json({ errcode: 'M_UNKNOWN', error: 'Internal server error' }, fault.status ?? 500);
    } else if (fault?.kind === 'answer') {
      reply = json(fault.answer?.json ?? {}, fault.answer?.status ?? 200);
    } else if (fault?.kind === 'rate-limit') {
      const refusal = limitExceeded(fault.retryAfterMs ?? 1000);
      reply = json(refusal.toJSON(), refusal.status, refusal.headers);
    } else {
      reply = await route(ctx);
    }
    if (fault?.kind === 'commit-then-drop') {
      await fault.onCommitted?.();
      req.socket.destroy();
      return;
    }
    if (!res.destroyed) sendReply(res, reply, flavour);
  }

  async function route(ctx: RequestContext): Promise<Reply> {
    if (ctx.method === 'OPTIONS') return json({});
    const segments = decodeSegments(canonicalPath(ctx.rawPath));
    const found = segments ? router.match(ctx.method, segments) : undefined;
    if (found === undefined || found === 'wrong-method') return notRouted(ctx, found === 'wrong-method');
    ctx.params = found.params;
    // Like Synapse's user_ips: every authenticated request updates the device's last seen.
    if (ctx.token) model.touchDevice(ctx.token, '127.0.0.1', ctx.req.headers['user-agent'] ?? null);
    try {
      // Synapse's message limit, for every event a user makes (rate-limits.ts).
      const makesEvent = eventRoute(ctx.method, canonicalPath(ctx.rawPath));
      if (makesEvent !== null) return await underMessageLimit(ctx, makesEvent, found.handler);
      return await found.handler(ctx);
    } catch (e) {
      if (e instanceof MatrixError) return json(e.toJSON(), e.status, e.headers);
      console.error('test homeserver: handler failed', e);
      return json({ errcode: 'M_UNKNOWN', error: 'Internal server error' } satisfies JsonObject, 500);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('test homeserver: request failed', e);
      if (!res.headersSent) sendReply(res, json({ errcode: 'M_UNKNOWN', error: 'Internal server error' }, 500), flavour);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${port}`;

  return {
    url: state.url,
    serverName,
    flavour: flavour.flavour,
    version: flavour.version,
    model,
    faults,
    requests,
    registrationSecret: state.registrationSecret,
    async close(): Promise<void> {
      // Wake the long-polls first so that they answer, then drop idle keep-alive sockets.
      closing.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
    },
  };
}
