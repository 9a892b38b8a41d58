import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CONTROL_CLOSE } from '../../src-shared/protocol/control-close-codes.js';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import type { Logger } from '../common/logger.js';
import { TokenBuckets } from '../common/token-bucket.js';
import {
  MAX_CONTROL_MESSAGE_BYTES,
  type RelayRegistration,
} from '../../src-shared/protocol/control-messages.js';
import { AuthVerifier } from './auth-verifier.js';
import { clientAddress, normalise } from './client-address.js';
import {
  ConnectionAdmission,
  connectionCeiling,
  DEFAULT_MAX_CONNECTIONS_PER_GROUP,
} from './connection-admission.js';
import { RequestQuota } from './request-quota.js';
import { certificateFingerprint } from '../../src-common/tls/certificate-fingerprint.js';
import { ControlMetrics } from './control-metrics.js';
import { ControlStore } from './control-store.js';
import { createHttpHandler } from './http-routes.js';
import { JoinAttemptLimiter } from './join-attempt-limiter.js';
import { JoinProofIssuer } from './join-proof-issuer.js';
import { PartyService } from './party-service.js';
import { Presence, PRESENCE_DEFAULTS, type SweepResult } from './presence.js';
import { RelayRegistry } from './relay-registry.js';
import { SessionHub } from './session-hub.js';
import { WsSession } from './ws-session.js';
import winston from 'winston';

/** Composition of the control server: HTTP routes, the WebSocket endpoint, store and timers. */

export const CONTROL_DEFAULTS = {
  /** Big enough for a LAN party; WireGuard mesh cost grows with the square of it. */
  maxMembers: 32,
  /** A client sends hello's answer within a round trip; 10 s covers a slow mobile link. */
  authTimeoutMs: 10_000,
  /**
   * Per connection: a client sends a heartbeat every 15 s and a handful of requests when
   * something changes; 20/s sustained with a burst of 40 is far above that, far below a flood.
   */
  messageRatePerSecond: 20,
  messageBurst: 40,
  /** Wrong invite codes per source IP and per key per minute (see join-attempt-limiter.ts). */
  joinFailuresPerMinute: 10,
  /**
   * Route tokens last 10 minutes (as the README says): a leaked or stale grant stops working
   * soon. Clients refresh each token when half its remaining life has passed (the core's
   * GRANT_REFRESH_FRACTION), so a live route never notices.
   */
  routeTokenTtlSeconds: 600,
  /**
   * Each connection costs ~50 KB; 20k is ~1 GB, the ceiling one small VM should carry. Lowered
   * at start to the file-descriptor limit less a reserve (connection-admission.ts).
   */
  maxConnections: 20_000,
  maxConnectionsPerGroup: DEFAULT_MAX_CONNECTIONS_PER_GROUP,
} as const;

/**
 * Slow clients are cut by these, checked every CONNECTIONS_CHECK_MS: a real client sends its
 * request headers (or WebSocket upgrade) in one segment right after connecting, so 5 s is a
 * generous allowance for a slow mobile link, and a slowloris holds a slot for 5-6 s at most.
 */
const HEADERS_TIMEOUT_MS = 5_000;
/** A whole request (our bodies are ≤ 4 KB) within 10 s. */
const REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive HTTP connection is closed after 5 s (Node's default, kept on purpose). */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A TLS handshake takes one or two round trips; 5 s then means a client that is not trying. */
const TLS_HANDSHAKE_TIMEOUT_MS = 5_000;
/** How often Node checks the two timeouts above (its default of 30 s lets slow clients pile up). */
const CONNECTIONS_CHECK_MS = 1_000;

/**
 * Frames up to this are read and refused with a `too_large` error the client can log; beyond it
 * ws closes the connection (1009) without buffering more. 4× the protocol limit.
 */
const HARD_FRAME_LIMIT = 4 * MAX_CONTROL_MESSAGE_BYTES;
export const WS_PATH = '/v1/ws';

export interface ControlServerOptions {
  host?: string;
  port?: number;
  /** SQLite file; ':memory:' (the default) for tests that need no restart. */
  dbPath?: string;
  serverKey?: KeyPair;
  relaySecret: Uint8Array;
  /** STUN servers advertised to clients ("host:port"). */
  stun?: readonly string[];
  maxMembers?: number;
  offlineAfterMs?: number;
  removeAfterMs?: number;
  emptyPartyTtlMs?: number;
  sweepIntervalMs?: number;
  authTimeoutMs?: number;
  messageRatePerSecond?: number;
  messageBurst?: number;
  joinFailuresPerMinute?: number;
  routeTokenTtlSeconds?: number;
  maxConnections?: number;
  /** Connections per address group (IPv4 address, IPv6 /64). */
  maxConnectionsPerGroup?: number;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (exact addresses). Their own connections
   * skip the per-group cap; their clients are counted by the forwarded address.
   */
  trustedProxies?: readonly string[];
  /** Multiplies every request quota (request-quota.ts); 1 in production. */
  quotaScale?: number;
  /** PEM certificate and key: serve https/wss. Without it, plain http/ws (tests, or behind a
   * TLS-terminating reverse proxy). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  relayHealthyForMs?: number;
  now?: () => number;
  randomBytes?: (length: number) => Uint8Array;
  logger?: Logger;
}

export interface ControlServer {
  /** http(s)://host:port */
  url: string;
  /** ws(s)://host:port/v1/ws */
  wsUrl: string;
  /** SHA-256 of the TLS certificate (base64url), what clients pin; null without TLS. */
  fingerprint: string | null;
  port: number;
  serverPublicKey: string;
  /** Runs the presence/relay sweep now (tests with a fake clock). */
  sweep(): SweepResult;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const now = options.now ?? Date.now;
  const randomBytes = options.randomBytes ?? ((n: number) => cryptoRandomBytes(n));
  const logger = options.logger ?? winston.createLogger({ silent: true });
  const serverKey = options.serverKey ?? generateKeyPair();
  const maxConnections = connectionCeiling(
    options.maxConnections ?? CONTROL_DEFAULTS.maxConnections,
  );
  const maxPerGroup = options.maxConnectionsPerGroup ?? CONTROL_DEFAULTS.maxConnectionsPerGroup;
  const trustedProxies = new Set((options.trustedProxies ?? []).map(normalise));
  // TCP connections (before any parsing) and, for clients of trusted proxies, their sessions.
  const admission = new ConnectionAdmission(maxConnections, maxPerGroup);
  const proxiedAdmission = new ConnectionAdmission(maxConnections, maxPerGroup);
  const quota = new RequestQuota(now, options.quotaScale ?? 1);
  /** Connections cut for not sending their first request's headers in time. */
  let slowClientsCut = 0;
  const store = new ControlStore(options.dbPath ?? ':memory:');
  const metrics = new ControlMetrics();
  const hub = new SessionHub();
  const relays = new RelayRegistry({
    now,
    ...(options.relayHealthyForMs !== undefined && { healthyForMs: options.relayHealthyForMs }),
  });
  const joinLimiter = new JoinAttemptLimiter({
    maxFailures: options.joinFailuresPerMinute ?? CONTROL_DEFAULTS.joinFailuresPerMinute,
    windowMs: 60_000,
    now,
  });
  const messageLimiter = new TokenBuckets<number>({
    ratePerSecond: options.messageRatePerSecond ?? CONTROL_DEFAULTS.messageRatePerSecond,
    burst: options.messageBurst ?? CONTROL_DEFAULTS.messageBurst,
    now,
    maxKeys: maxConnections * 2,
  });
  const service = new PartyService({
    store,
    relaySecret: options.relaySecret,
    now,
    randomBytes,
    maxMembers: options.maxMembers ?? CONTROL_DEFAULTS.maxMembers,
    routeTokenTtlSeconds: options.routeTokenTtlSeconds ?? CONTROL_DEFAULTS.routeTokenTtlSeconds,
    joinLimiter,
    // A fresh secret per start: seeds are good for a minute or two, a restart just asks again.
    joinProofs: new JoinProofIssuer(randomBytes(32), now),
    publish: (keys, event) => hub.publish(keys, event),
    logger: logger.child({ area: 'party' }),
  });
  const presence = new Presence({
    service,
    now,
    offlineAfterMs: options.offlineAfterMs ?? PRESENCE_DEFAULTS.offlineAfterMs,
    removeAfterMs: options.removeAfterMs ?? PRESENCE_DEFAULTS.removeAfterMs,
    emptyPartyTtlMs: options.emptyPartyTtlMs ?? PRESENCE_DEFAULTS.emptyPartyTtlMs,
    onSilent: (key) => hub.get(key)?.close(CONTROL_CLOSE.silent, 'no heartbeat'),
  });
  // Members online when the server stopped get the usual silence allowance to reconnect in,
  // instead of all flapping offline at start-up.
  for (const key of store.onlineMemberKeys()) presence.heard(key);

  let healthyRelayIds = relays.healthyIds();
  const pushRelaysIfChanged = (force: boolean) => {
    const ids = relays.healthyIds();
    if (!force && ids === healthyRelayIds) return;
    healthyRelayIds = ids;
    hub.broadcast({ t: 'event', event: 'relays.changed', relays: relays.healthy() });
  };

  const startedAt = now();
  const health = () => {
    const counts = store.counts();
    return {
      uptimeSeconds: Math.floor((now() - startedAt) / 1000),
      parties: counts.parties,
      members: counts.members,
      membersOnline: counts.online,
      sessions: hub.size,
      connections: metrics.connectionsOpen,
      relaysHealthy: relays.healthy().length,
    };
  };

  const serverOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
  };
  const handler = createHttpHandler({
    relaySecret: options.relaySecret,
    health,
    metrics: () => {
      const h = health();
      return metrics.render(
        {
          parties: h.parties,
          members: h.members,
          members_online: h.membersOnline,
          sessions: h.sessions,
          relays_healthy: h.relaysHealthy,
          resident_memory_bytes: process.memoryUsage.rss(),
          tcp_connections_open: admission.openConnections,
          tcp_connections_max: maxConnections,
          tcp_connections_per_group_max: maxPerGroup,
          admission_groups_tracked: admission.groupsTracked,
          admission_refused_total_cap:
            admission.counters.refusedTotal + proxiedAdmission.counters.refusedTotal,
          admission_refused_group_cap:
            admission.counters.refusedPerGroup + proxiedAdmission.counters.refusedPerGroup,
          quota_refused: quota.refused,
          slow_clients_cut: slowClientsCut,
          join_limiter_keys: joinLimiter.size,
        },
        hub.eventsPushed,
      );
    },
    relayHeartbeat: (body) => {
      const changed = relays.heartbeat(body as RelayRegistration);
      metrics.relayHeartbeats++;
      pushRelaysIfChanged(changed);
    },
    onRelayRefused: () => metrics.relayHeartbeatsRefused++,
    logger: logger.child({ area: 'http' }),
  });
  const http: Server = options.tls
    ? (createHttpsServer(
        { ...serverOptions, ...options.tls, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
        handler,
      ) as unknown as Server)
    : createServer(serverOptions, handler);
  const fingerprint = options.tls ? certificateFingerprint(options.tls.cert) : null;
  // Until its first request's headers are in (or its WebSocket upgrade), a connection lives at
  // most HEADERS_TIMEOUT_MS: our own timer, so a slowloris that drips a header line now and then,
  // or a client that connects and says nothing, is cut on time whatever Node's parser tracks.
  const firstRequestTimers = new WeakMap<object, NodeJS.Timeout>();
  const startFirstRequestDeadline = (socket: Duplex): void => {
    const timer = setTimeout(() => {
      slowClientsCut++;
      socket.destroy();
    }, HEADERS_TIMEOUT_MS);
    timer.unref();
    firstRequestTimers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  };
  const firstRequestArrived = (socket: object): void => {
    clearTimeout(firstRequestTimers.get(socket));
    firstRequestTimers.delete(socket);
  };
  // Admission on the raw TCP socket: refused before TLS, before a byte is parsed.
  http.on('connection', (socket: Socket) => {
    const peer = normalise(socket.remoteAddress ?? 'unknown');
    const slot = admission.acquire(peer, trustedProxies.has(peer));
    if (typeof slot === 'string') {
      socket.destroy();
      return;
    }
    socket.once('close', slot);
    if (!options.tls) startFirstRequestDeadline(socket);
  });
  if (options.tls)
    http.on('secureConnection', (socket: Duplex) => startFirstRequestDeadline(socket));
  http.on('request', (req: IncomingMessage) => firstRequestArrived(req.socket));
  // A TLS client that never finishes its handshake, or speaks garbage, is just dropped.
  http.on('tlsClientError', (_error: Error, socket: Duplex) => socket.destroy());
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    perMessageDeflate: false,
  });
  const wsLogger = logger.child({ area: 'ws' });
  const sessionContext = {
    service,
    presence,
    hub,
    relays,
    serverKey,
    verifier: new AuthVerifier(serverKey),
    stun: options.stun ?? [],
    messageLimiter,
    quota,
    metrics,
    now,
    randomBytes,
    authTimeoutMs: options.authTimeoutMs ?? CONTROL_DEFAULTS.authTimeoutMs,
    shuttingDown: () => closing !== null,
    logger: wsLogger,
  };
  let closing: Promise<void> | null = null;
  let nextConnectionId = 1;
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    firstRequestArrived(socket);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WS_PATH) {
      socket.end(`HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\nno WebSocket at ${path}\n`);
      return;
    }
    const sourceIp = clientAddress(req, trustedProxies);
    const proxied = trustedProxies.has(normalise(req.socket.remoteAddress ?? ''));
    let release = () => {};
    if (proxied) {
      const slot = proxiedAdmission.acquire(sourceIp);
      if (typeof slot === 'string') {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 30\r\n\r\n',
        );
        return;
      }
      release = slot;
      socket.once('close', release);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      new WsSession(ws, nextConnectionId++, sourceIp, sessionContext);
    });
  });

  const sweep = (): SweepResult => {
    const result = presence.sweep();
    relays.sweep();
    pushRelaysIfChanged(false);
    messageLimiter.sweep();
    joinLimiter.sweep();
    quota.sweep();
    return result;
  };
  const timer = setInterval(() => {
    try {
      sweep();
    } catch (error) {
      logger.error('sweep failed', { error: error instanceof Error ? error.message : error });
    }
  }, options.sweepIntervalMs ?? PRESENCE_DEFAULTS.sweepIntervalMs);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const secure = options.tls ? 's' : '';
  const url = `http${secure}://${hostForUrl}:${address.port}`;
  const wsUrl = `ws${secure}://${hostForUrl}:${address.port}${WS_PATH}`;
  logger.info('listening', { url, ws: wsUrl, fingerprint, maxConnections, maxPerGroup });

  return {
    url,
    wsUrl,
    fingerprint,
    port: address.port,
    serverPublicKey: serverKey.publicKey,
    sweep,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        for (const client of wss.clients)
          client.close(CONTROL_CLOSE.serverShutdown, 'server shutting down');
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          // Give clients a moment to complete the closing handshake, then cut the rest.
          setTimeout(() => {
            for (const client of wss.clients) client.terminate();
            http.closeAllConnections();
          }, 200).unref();
        });
        wss.close();
        store.close();
      })();
      return closing;
    },
  };
}
