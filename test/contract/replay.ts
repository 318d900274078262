// Replaying a recorded exchange against the test homeserver: load the
// recording, swap the recorded world's IDs for ours, send the same request
// with the actor's token, and hand back both answers for comparison.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';

export const FIXTURES = join(import.meta.dirname, '../fixtures/synapse-1.67');

/** One recording, from either folder, in one shape. */
export interface Recording {
  file: string;
  method: string;
  path: string;
  requestBody: unknown;
  requestContentType: string | null;
  status: number;
  body: unknown;
  /** Only the client-api recordings kept the response headers. */
  headers: Record<string, string | null> | null;
}

export function recordingFiles(folder: '' | 'client-api'): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadRecording(folder: '' | 'client-api', file: string): Recording {
  const raw = JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as Record<string, unknown>;
  if (folder === '') {
    return {
      file,
      method: String(raw['method']),
      path: String(raw['path']),
      requestBody: raw['body'],
      requestContentType: null,
      status: Number(raw['status']),
      body: raw['response'],
      headers: null,
    };
  }
  const reqHeaders = (raw['request_headers'] ?? {}) as Record<string, string>;
  const contentType = Object.entries(reqHeaders).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? null;
  return {
    file,
    method: String(raw['method']),
    path: String(raw['path']),
    requestBody: raw['request_body'],
    requestContentType: contentType,
    status: Number(raw['status']),
    body: raw['response_body'],
    headers: raw['response_headers'] as Record<string, string | null>,
  };
}

/** Recorded ID parts (the random part of a room, event or media ID) -> ours. */
export class IdMap {
  private readonly parts = new Map<string, string>();

  /** Maps whole IDs (!x:s, $x, mxc://s/x) by their random part, which no encoding touches. */
  add(recorded: string, ours: string): void {
    this.parts.set(randomPart(recorded), randomPart(ours));
  }

  apply(text: string): string {
    let out = text;
    for (const [from, to] of this.parts) out = out.split(from).join(to);
    return out;
  }
}

function randomPart(id: string): string {
  if (id.startsWith('mxc://')) return id.slice(id.lastIndexOf('/') + 1);
  if (id.startsWith('!')) return id.slice(1, id.indexOf(':'));
  if (id.startsWith('$')) return id.slice(1);
  return id;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** Byte length of a non-JSON body. */
  length: number;
}

/** Sends the recorded request (IDs swapped) with the given token. */
export async function replay(hs: TestHomeserver, rec: Recording, ids: IdMap, token: string | null, pathOverride?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  const reqBody = rec.requestBody as Record<string, unknown> | null;
  if (reqBody && typeof reqBody['length'] === 'number' && typeof reqBody['content_type'] === 'string') {
    // Uploads were recorded as {length, content_type}: send that many bytes.
    body = Buffer.alloc(reqBody['length'], 'x');
    headers['Content-Type'] = reqBody['content_type'];
  } else if (reqBody !== null && reqBody !== undefined) {
    body = ids.apply(JSON.stringify(reqBody));
    headers['Content-Type'] = rec.requestContentType ?? 'application/json';
  }
  const res = await fetch(hs.url + (pathOverride ?? ids.apply(rec.path)), { method: rec.method, headers, ...(body === undefined ? {} : { body }) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(bytes.toString('utf8')) : null, length: bytes.length };
}
