// Small helpers for the test homeserver's own tests: plain fetch calls.
export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(baseUrl: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers['Authorization'] = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export const enc = encodeURIComponent;
