import { errorBodySchema, type ErrorCode } from '@chatpop/protocol';
import type { z } from 'zod';

/**
 * The client side of the REST contract in docs/api.md: same-origin `/api/...`
 * (Next rewrites it to the server), cookies included, one error shape.
 */

/** Codes the client itself produces when there is no server answer to read. */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: unknown;
  /** Seconds from a `retry-after` header (429), when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: ErrorCode | ClientErrorCode,
    message: string,
    details?: unknown,
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isApiError(error: unknown, code?: ApiError['code']): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** A sentence for any thrown value, for places that show one error line. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Please try again.';
}

const NETWORK_MESSAGE = "Can't reach ChatPop right now. Check your connection and try again.";

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestOptions<S extends z.ZodType | undefined> {
  body?: unknown;
  /** Validates and types the reply. Without it the reply is returned as `unknown`. */
  schema?: S;
  /** Try `POST /api/auth/refresh` once on a 401 and retry. On by default. */
  refresh?: boolean;
  signal?: AbortSignal;
}

type Reply<S> = S extends z.ZodType ? z.output<S> : unknown;

// Concurrent 401s share one refresh: a refresh token is single-use (rotated).
let refreshing: Promise<boolean> | null = null;

function refreshSession(): Promise<boolean> {
  refreshing ??= send('POST', '/api/auth/refresh', {})
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A file sent as the raw request body (an avatar), with its own content type. */
export class RawBody {
  constructor(readonly blob: Blob) {}
}

function send(method: Method, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  if (body instanceof RawBody) {
    return fetch(path, {
      method,
      credentials: 'include',
      // Not JSON, so the CSRF header says it comes from the app.
      headers: { 'content-type': body.blob.type || 'application/octet-stream', 'x-chatpop-csrf': '1', accept: 'application/json' },
      body: body.blob,
      signal,
      cache: 'no-store',
    });
  }
  const hasBody = method !== 'GET' && method !== 'DELETE';
  return fetch(path, {
    method,
    credentials: 'include',
    // The server accepts a state change only with a JSON content type or the CSRF
    // header, so every POST/PATCH carries JSON (`{}` when there is nothing to say)
    // and a DELETE the header.
    headers: hasBody
      ? { 'content-type': 'application/json', accept: 'application/json' }
      : method === 'DELETE'
        ? { accept: 'application/json', 'x-chatpop-csrf': '1' }
        : { accept: 'application/json' },
    body: hasBody ? JSON.stringify(body ?? {}) : undefined,
    signal,
    cache: 'no-store',
  });
}

async function toApiError(res: Response): Promise<ApiError> {
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // Not JSON: a proxy error page, or the server is down behind the rewrite.
  }
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(res.status, code, message, details, retryAfterSeconds);
  }
  if (res.status >= 500 || res.status === 0) return new ApiError(res.status, 'NETWORK', NETWORK_MESSAGE);
  return new ApiError(res.status, 'BAD_RESPONSE', `Unexpected answer from the server (${res.status}).`);
}

export async function request<S extends z.ZodType | undefined = undefined>(
  method: Method,
  path: string,
  options: RequestOptions<S> = {},
): Promise<Reply<S>> {
  const { body, schema, refresh = true, signal } = options;
  let res: Response;
  try {
    res = await send(method, path, body, signal);
    if (res.status === 401 && refresh && (await refreshSession())) {
      res = await send(method, path, body, signal);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', NETWORK_MESSAGE);
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as Reply<S>;
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The server sent an answer we could not read.');
  }
  if (!schema) return json as Reply<S>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn(`Unexpected reply from ${method} ${path}`, parsed.error.issues);
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The server sent an answer we could not read.');
  }
  return parsed.data as Reply<S>;
}

export const api = {
  get: <S extends z.ZodType | undefined = undefined>(path: string, options?: Omit<RequestOptions<S>, 'body'>) =>
    request('GET', path, options),
  post: <S extends z.ZodType | undefined = undefined>(path: string, body: unknown = {}, options?: Omit<RequestOptions<S>, 'body'>) =>
    request('POST', path, { ...options, body }),
  patch: <S extends z.ZodType | undefined = undefined>(path: string, body: unknown = {}, options?: Omit<RequestOptions<S>, 'body'>) =>
    request('PATCH', path, { ...options, body }),
  put: <S extends z.ZodType | undefined = undefined>(path: string, body: unknown = {}, options?: Omit<RequestOptions<S>, 'body'>) =>
    request('PUT', path, { ...options, body }),
  delete: <S extends z.ZodType | undefined = undefined>(path: string, options?: Omit<RequestOptions<S>, 'body'>) =>
    request('DELETE', path, options),
};

/**
 * Field messages from an error: `VALIDATION_FAILED` lists `details.issues`
 * (each with a path or field and a message); the taken/invalid codes name
 * their field. Anything else belongs to the form as a whole (`_form`).
 */
export function fieldErrors(error: unknown, fieldForCode: Partial<Record<string, string>> = {}): Record<string, string> {
  if (!(error instanceof ApiError)) return { _form: errorMessage(error) };
  const byCode = fieldForCode[error.code];
  if (byCode) return { [byCode]: error.message };
  const out: Record<string, string> = {};
  const issues = (error.details as { issues?: unknown } | null | undefined)?.issues;
  if (error.code === 'VALIDATION_FAILED' && Array.isArray(issues)) {
    for (const issue of issues as Array<Record<string, unknown>>) {
      const path = issue.path ?? issue.field;
      const field = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      const message = typeof issue.message === 'string' ? issue.message : 'This value is not valid.';
      const key = field || '_form';
      out[key] ??= message;
    }
  }
  if (Object.keys(out).length === 0) out._form = error.message;
  return out;
}

export const chatPath = (code: string, rest = '') => `/api/chats/${encodeURIComponent(code)}${rest}`;
