// Errors in the Matrix shape ({errcode, error}), with the HTTP status and headers they are
// answered with. The model and the flavours throw them as the handlers do.
import type { JsonObject } from './events.ts';

export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: JsonObject;
  /** HTTP headers the answer carries (a 429's Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, errcode: string, error: string, extra: JsonObject = {}, headers: Record<string, string> = {}) {
    super(error);
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
    this.headers = headers;
  }

  toJSON(): JsonObject {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const notFound = (error: string): MatrixError => new MatrixError(404, 'M_NOT_FOUND', error);
export const forbidden = (error: string): MatrixError => new MatrixError(403, 'M_FORBIDDEN', error);
export const badJson = (error: string): MatrixError => new MatrixError(400, 'M_BAD_JSON', error);
