/**
 * The one logger interface of the client and the servers: what every module logs through. Their
 * winston loggers (core-logger.ts, server logger.ts) satisfy it; tests pass a silent one. Context (area, party, peer) goes
 * into child loggers, so every line of a peer names its party and its peer.
 */
export type LogMeta = Record<string, unknown>;

export interface Logger {
  error(message: string, meta?: LogMeta): unknown;
  warn(message: string, meta?: LogMeta): unknown;
  info(message: string, meta?: LogMeta): unknown;
  debug(message: string, meta?: LogMeta): unknown;
  child(meta: LogMeta): Logger;
}

/** A logger that drops everything (tests, and callers that were given none). */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
