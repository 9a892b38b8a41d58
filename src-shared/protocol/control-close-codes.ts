/**
 * WebSocket close codes the control server uses (4000-4999 is the application range), shared
 * with the client so it knows which closes are worth reconnecting after.
 */
export const CONTROL_CLOSE = {
  /** Another connection logged in with the same key; reconnecting would fight it. */
  replaced: 4001,
  /** The client speaks a protocol version the server does not. */
  unsupportedVersion: 4002,
  /** The auth proof was wrong. */
  authFailed: 4003,
  /** No auth message arrived in time. */
  authTimeout: 4004,
  /** Went silent (no heartbeats); the server marked the member offline. */
  silent: 4005,
  /** Did not read its messages fast enough; its queue grew past the server's limit. */
  slowConsumer: 4006,
  /** Too many logins from this address group or key; reconnect later (with back-off). */
  rateLimited: 4007,
  /** The server is shutting down; reconnect (to its replacement). */
  serverShutdown: 1001,
} as const;

/** Closes after which reconnecting cannot help without the user changing something. */
export function closeIsFinal(code: number): boolean {
  return code === CONTROL_CLOSE.replaced || code === CONTROL_CLOSE.unsupportedVersion;
}
