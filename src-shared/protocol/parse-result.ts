/**
 * What every parser of untrusted input returns: a typed value or a reason a human can read.
 * Parsers never throw on hostile input; callers decide what an error costs.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function rejected<T = never>(error: string): ParseResult<T> {
  return { ok: false, error };
}
