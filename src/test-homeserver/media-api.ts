// The media repository: config, upload, and download (unauthenticated under
// /_matrix/media/v3, where the flavour still serves it; authenticated under
// /_matrix/client/v1/media on servers that have it). Downloads are sent with
// Content-Length, not chunked.

import { forbidden, MatrixError, notFound } from './errors.ts';
import { generatedStream } from './generated-media.ts';
import type { Reply, RequestContext, Router } from './http.ts';
import { json, requireAuth } from './http.ts';
import { mediaLength } from './model.ts';

/** Synapse's default max_upload_size, 50 MiB (recorded: 52428800). */
export const DEFAULT_UPLOAD_LIMIT = 52428800;

function config(ctx: RequestContext): Reply {
  requireAuth(ctx);
  return json({ 'm.upload.size': ctx.state.uploadLimit });
}

function upload(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  // Synapse reads the length from the header and refuses chunked uploads.
  if (ctx.req.headers['content-length'] === undefined) throw new MatrixError(400, 'M_UNKNOWN', 'Request must specify a Content-Length');
  if (ctx.body.length > ctx.state.uploadLimit) throw new MatrixError(413, 'M_TOO_LARGE', 'Upload request body is too large');
  const contentType = ctx.req.headers['content-type'] ?? 'application/octet-stream';
  const filename = ctx.query.get('filename');
  const uri = ctx.state.model.uploadMedia(token.userId, {
    contentType,
    bytes: Buffer.from(ctx.body),
    ...(filename ? { filename } : {}),
  });
  return json({ content_uri: uri });
}

/** Synapse writes `filename=` for plain ASCII names and RFC 5987 `filename*=` otherwise. */
function contentDisposition(name: string): string {
  if (/^[A-Za-z0-9!#$&+.^_`|~-]+$/.test(name)) return `inline; filename=${name}`;
  return `inline; filename*=utf-8''${encodeURIComponent(name)}`;
}

function download(ctx: RequestContext): Reply {
  const { model, flavour } = ctx.state;
  const server = ctx.params['serverName'] ?? '';
  const mediaId = ctx.params['mediaId'] ?? '';
  const media = server === model.serverName ? model.media.get(mediaId) : undefined;
  // Quarantined media is still listed to admins, but every download is a 404 (Synapse's respond_404).
  if (!media || media.quarantinedBy !== undefined) throw notFound(flavour.mediaNotFoundError(server, mediaId));
  let contentType = media.contentType;
  // Synapse adds a charset to text types.
  if (contentType.startsWith('text/') && !contentType.includes('charset')) contentType += '; charset=UTF-8';
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Content-Length': String(mediaLength(media)) };
  const name = ctx.params['fileName'] ?? media.filename;
  if (name) headers['Content-Disposition'] = contentDisposition(name);
  if (media.generated) return { kind: 'stream', status: 200, headers, body: generatedStream(media.generated) };
  return { kind: 'raw', status: 200, headers, body: media.bytes };
}

function authenticatedDownload(ctx: RequestContext): Reply {
  requireAuth(ctx);
  return download(ctx);
}

/** The unauthenticated download, as each flavour serves it (flavours.ts, legacyMediaDownload). */
function legacyDownload(ctx: RequestContext): Reply {
  const { flavour, model } = ctx.state;
  if (flavour.legacyMediaDownload === 'forbidden') throw forbidden('Unauthenticated media is disabled.');
  // Current Synapse marks every upload "authenticated" and refuses it here as if it did not exist.
  const local = ctx.params['serverName'] === model.serverName && model.media.has(ctx.params['mediaId'] ?? '');
  if (flavour.legacyMediaDownload === 'not-found' && local) throw notFound('Not found');
  return download(ctx);
}

function legacyConfig(ctx: RequestContext): Reply {
  if (ctx.state.flavour.legacyMediaDownload === 'forbidden') throw forbidden('Unauthenticated media is disabled.');
  return config(ctx);
}

export function registerMediaApi(router: Router, authenticatedMedia: boolean): void {
  for (const v of ['v3', 'r0']) {
    const p = `/_matrix/media/${v}`;
    router.add('GET', `${p}/config`, legacyConfig);
    router.add('POST', `${p}/upload`, upload);
    router.add('GET', `${p}/download/{serverName}/{mediaId}`, legacyDownload);
    router.add('GET', `${p}/download/{serverName}/{mediaId}/{fileName}`, legacyDownload);
  }
  if (!authenticatedMedia) return;
  const p = '/_matrix/client/v1/media';
  router.add('GET', `${p}/config`, config);
  router.add('GET', `${p}/download/{serverName}/{mediaId}`, authenticatedDownload);
  router.add('GET', `${p}/download/{serverName}/{mediaId}/{fileName}`, authenticatedDownload);
}
