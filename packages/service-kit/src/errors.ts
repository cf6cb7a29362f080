import { STATUS_CODES } from 'node:http';

/** The contract's error body: `{statusCode, error, message}` plus `errors` for validation. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: Record<string, string>;
}

/**
 * The one error type domain code throws. The service-kit error handler turns it into the
 * contract's JSON shape; anything else becomes a 500 that reveals nothing internal.
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly errors: Record<string, string> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    message: string,
    options: { errors?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (message: string, errors?: Record<string, string>) =>
  new AppError(400, message, { errors });
export const unauthorized = (message = 'Missing or invalid access token') =>
  new AppError(401, message, { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, message);
export const notFound = (message: string) => new AppError(404, message);
export const conflict = (message: string, errors?: Record<string, string>) =>
  new AppError(409, message, { errors });
export const serviceUnavailable = (message: string, retryAfterSeconds = 5) =>
  new AppError(503, message, { headers: { 'retry-after': String(retryAfterSeconds) } });

export function errorBody(statusCode: number, message: string, errors?: Record<string, string>): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (errors) body.errors = errors;
  return body;
}
