import dgram, { type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { relayFrameMacValid, signRelayFrame } from '../../src-common/crypto/relay-frame-mac.js';
import {
  BIND_FRESHNESS_MS,
  encodeRelayBindAckUnsigned,
  encodeRelayBindRefusedUnsigned,
  encodeRelayChallengeUnsigned,
  RELAY_BIND_COOKIE_OFFSET,
  RELAY_BIND_COUNTER_OFFSET,
  RELAY_BIND_LENGTH,
  RELAY_BIND_TOKEN_OFFSET,
  RELAY_COOKIE_LENGTH,
  RelayRefusal,
  RELAY_DATA_HEADER_LENGTH,
  RELAY_HEADER_LENGTH,
  isRelayFrame,
  RELAY_ROUTE_ID_OFFSET,
  RELAY_TYPE_OFFSET,
  RELAY_VERSION_OFFSET,
  RelayFrameType,
} from '../../src-shared/protocol/relay-frames.js';
import { parseRouteToken } from '../../src-shared/protocol/route-token.js';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/version.js';
import { verifyRouteToken } from '../common/route-token-crypto.js';
import { TokenBuckets } from '../common/token-bucket.js';
import type { Logger } from '../common/logger.js';
import { RelayStats, type DropReason } from './relay-stats.js';
import { BindCookies } from './bind-cookies.js';
import { RouteTable, type RouteRefusal } from './route-table.js';

/**
 * The relay's UDP data plane (frame layout: src-shared/protocol/relay-frames.ts).
 *
 *   BIND  → check per-source budgets → verify token (stateless, shared secret) → verify BIND MAC
 *           with the token's side key → counter (a timestamp) fresh and above that side's last →
 *           source address not yet this side's and no valid cookie for it: CHALLENGE (54 bytes)
 *           carrying one, nothing else → party and member shares, table capacity: BIND_REFUSED
 *           (39 bytes) if spent → (re)bind the side to the source address → BIND_ACK (39 bytes).
 *   DATA  → check per-source budget → route by id → source must be one side's bound address →
 *           the same Buffer, unchanged, to the other side's bound address. No crypto.
 *   anything else → dropped, counted, never answered.
 *
 * The relay never sends a datagram larger than the one that caused it (no amplification); it
 * forwards DATA only to an address that proved, by the cookie round trip, that it receives there
 * and holds the side key; the only thing an unproven address can get is one rate-limited
 * CHALLENGE, and only in answer to a fresh BIND MACed with a genuine side key.
 */

/** Why 120 s: clients re-BIND every 10-15 s and WireGuard keeps-alive every 25 s, so a live
 * route is never idle that long; a dead one frees its slot within a couple of minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** Why 5 s: expiry needs no precision finer than a few percent of the idle timeout, and the
 * sweep walks every route. */
export const DEFAULT_SWEEP_INTERVAL_MS = 5_000;
/** Why 10 000: a route is ~300 bytes here, so this is a few MB; the real limit is bandwidth.
 * Load reported to the control server is routes / this. */
export const DEFAULT_MAX_ROUTES = 10_000;
/** Why 20k packets/s with a 40k burst per source IP: a household behind one NAT running a few
 * games at 128 Hz with several peers sends well under 5k packets/s; the margin covers bursts
 * (level loads, voice) while still capping what one address can make the relay do. */
export const DEFAULT_SOURCE_RATE = { packetsPerSecond: 20_000, burst: 40_000 };
/** Why 50/s, burst 200 per source IP: a client re-BINDs each route every 10-15 s, so even
 * dozens of routes behind one NAT need a few per second; a BIND costs four HMACs, so this caps
 * the crypto one address can buy. */
export const DEFAULT_BIND_RATE = { packetsPerSecond: 50, burst: 200 };
/** Why 2/s, burst 32 per destination IP: a member binds up to MAX_ROUTES_PER_MEMBER (32) routes
 * at once when it joins a party where every peer is relayed; after that an honest client needs
 * one CHALLENGE per address change. This bounds what someone holding valid side keys can make us
 * send to an address it forges to 32 packets, then 2 a second, of 54 bytes — each smaller than
 * the 84-byte BIND that caused it, and never a forwarded byte. */
export const DEFAULT_CHALLENGE_RATE = { packetsPerSecond: 2, burst: 32 };
/** Why 1 MiB: absorbs bursts of full-size datagrams between event-loop turns on a busy relay. */
const SOCKET_BUFFER_BYTES = 1 << 20;

export interface RateLimit {
  packetsPerSecond: number;
  burst: number;
}

export interface RelayOptions {
  /** Shared with the control server (LANRAGE_RELAY_SECRET); signs route tokens. */
  secret: Uint8Array;
  /** Address to bind; '0.0.0.0' by default. An IPv6 literal binds an IPv6 (dual-stack) socket. */
  host?: string;
  /** 0 (the default) picks a free port; read it back from the handle. */
  port?: number;
  /** Wall clock in unix ms; token expiry, idle expiry and rate limits all read it. */
  now?: () => number;
  idleTimeoutMs?: number;
  sweepIntervalMs?: number;
  maxRoutes?: number;
  sourceRate?: RateLimit;
  bindRate?: RateLimit;
  logger?: Logger;
  /** The UDP socket to serve on (tests: the in-memory internet's); default: a real one. */
  createSocket?: () => dgram.Socket;
}

export interface RelayHandle {
  readonly port: number;
  readonly address: string;
  readonly stats: RelayStats;
  readonly capacity: number;
  /** Runs the idle/expiry sweep now (it also runs every sweepIntervalMs). */
  sweep(): void;
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<RelayHandle> {
  const host = options.host ?? '0.0.0.0';
  const now = options.now ?? Date.now;
  const log = options.logger?.child({ area: 'relay' });
  const stats = new RelayStats();
  const table = new RouteTable({
    maxRoutes: options.maxRoutes ?? DEFAULT_MAX_ROUTES,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  });
  const sourceRate = options.sourceRate ?? DEFAULT_SOURCE_RATE;
  const bindRate = options.bindRate ?? DEFAULT_BIND_RATE;
  const sourceBudget = new TokenBuckets<string>({
    ratePerSecond: sourceRate.packetsPerSecond,
    burst: sourceRate.burst,
    now,
  });
  const bindBudget = new TokenBuckets<string>({
    ratePerSecond: bindRate.packetsPerSecond,
    burst: bindRate.burst,
    now,
  });
  const challengeBudget = new TokenBuckets<string>({
    ratePerSecond: DEFAULT_CHALLENGE_RATE.packetsPerSecond,
    burst: DEFAULT_CHALLENGE_RATE.burst,
    now,
  });
  const cookies = new BindCookies(now);
  const secret = options.secret;

  const socket =
    options.createSocket?.() ??
    dgram.createSocket({
      type: isIP(host) === 6 ? 'udp6' : 'udp4',
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    });

  // One shared callback (no closure per packet): a failed send is counted, not thrown.
  const onSent = (error: Error | null): void => {
    if (error) {
      stats.drop('send-failed');
      log?.debug('send failed', { error: error.message });
    }
  };

  const drop = (reason: DropReason): void => stats.drop(reason);

  function onData(msg: Buffer, from: RemoteInfo): void {
    if (msg.length < RELAY_DATA_HEADER_LENGTH) return drop('truncated');
    const route = table.lookup(msg, RELAY_ROUTE_ID_OFFSET);
    if (route === undefined) return drop('unknown-route');
    const { end0, end1 } = route;
    let to;
    if (end0.isBoundTo(from.address, from.port)) to = end1;
    else if (end1.isBoundTo(from.address, from.port)) to = end0;
    else return drop('unbound-source');
    if (to.address === null) return drop('peer-not-bound');
    route.active = true;
    stats.forwardedPackets++;
    stats.forwardedBytes += msg.length;
    stats.packetsOut++;
    stats.bytesOut += msg.length;
    socket.send(msg, to.port, to.address, onSent);
  }

  /** A small signed answer (never larger than the BIND that caused it) to a proven address. */
  function answer(frame: Buffer, sideKey: Uint8Array, from: RemoteInfo): void {
    signRelayFrame(frame, sideKey);
    stats.packetsOut++;
    stats.bytesOut += frame.length;
    socket.send(frame, from.port, from.address, onSent);
  }

  function onBind(msg: Buffer, from: RemoteInfo): void {
    // The BIND budget comes before any crypto: a flood of forged BINDs costs a map lookup each.
    if (!bindBudget.take(from.address)) return drop('bind-rate-limited');
    if (msg.length !== RELAY_BIND_LENGTH) return drop('truncated');
    const nowMs = now();
    const nowSeconds = Math.floor(nowMs / 1000);
    const tokenBytes = msg.subarray(RELAY_BIND_TOKEN_OFFSET, RELAY_BIND_COUNTER_OFFSET);
    const fields = parseRouteToken(tokenBytes);
    if (!fields.ok) return drop('bad-token');
    // Expiry before the tag: it is free to check, and a refusal either way.
    if (fields.value.expiresAt < nowSeconds) return drop('token-expired');
    const token = verifyRouteToken(secret, tokenBytes, nowSeconds);
    if (!token.ok) return drop('bad-token');
    if (!relayFrameMacValid(msg, token.value.sideKey)) return drop('bad-bind-mac');
    const counter = msg.readBigUInt64BE(RELAY_BIND_COUNTER_OFFSET);
    // The counter is a timestamp: a BIND recorded more than the window ago is dead everywhere,
    // including on a relay that restarted and forgot the counters below.
    const counterMs = Number(counter / 1000n);
    if (Math.abs(counterMs - nowMs) > BIND_FRESHNESS_MS) return drop('stale-bind');
    const routeId = token.value.routeId;
    const side = token.value.side;
    if (counter <= table.lastCounter(routeId, side)) return drop('replayed-bind');
    const existing = table.find(routeId);
    // Return-routability: a side is bound (or moved) only to an address that proved it receives
    // there by echoing the cookie we sent it (bind-cookies.ts). Nothing else goes to it first.
    const alreadyHere = existing?.end(side).isBoundTo(from.address, from.port) ?? false;
    const cookie = msg.subarray(
      RELAY_BIND_COOKIE_OFFSET,
      RELAY_BIND_COOKIE_OFFSET + RELAY_COOKIE_LENGTH,
    );
    if (!alreadyHere && !cookies.valid(cookie, from.address, from.port, routeId, side)) {
      if (!challengeBudget.take(from.address)) return drop('challenge-rate-limited');
      stats.challengesSent++;
      const challenge = Buffer.from(
        encodeRelayChallengeUnsigned(
          routeId,
          counter,
          cookies.issue(from.address, from.port, routeId, side),
        ),
      );
      return answer(challenge, token.value.sideKey, from);
    }
    const partyTag = Buffer.from(token.value.partyTag).readUInt32BE(0);
    const memberTag = Buffer.from(token.value.memberTag).readUInt32BE(0);
    const refuse = (reason: RouteRefusal): void => {
      drop(reason === 'full' ? 'route-limit' : reason);
      stats.refusalsSent++;
      const code =
        reason === 'full'
          ? RelayRefusal.Full
          : reason === 'party-share'
            ? RelayRefusal.PartyShare
            : RelayRefusal.MemberShare;
      answer(
        Buffer.from(encodeRelayBindRefusedUnsigned(routeId, counter, code)),
        token.value.sideKey,
        from,
      );
    };
    const entry = table.getOrCreate(routeId, nowMs, partyTag);
    if (typeof entry === 'string') {
      log?.warn('refusing a new route', { reason: entry, capacity: table.capacity });
      return refuse(entry);
    }
    const { route, created } = entry;
    const end = route.end(side);
    if (counter <= end.lastCounter) {
      // A route recreated from retired counters is not kept for a BIND it refuses.
      if (created) table.discard(route, nowMs);
      return drop('replayed-bind');
    }
    if (!table.claimSide(route, side, memberTag)) {
      if (created) table.discard(route, nowMs);
      return refuse('member-share');
    }
    if (created) {
      stats.routesCreated++;
      stats.routesActive = table.size;
      log?.info('route created', {
        route: route.idHex,
        side,
        from: `${from.address}:${from.port}`,
      });
    }
    if (end.address !== null && !end.isBoundTo(from.address, from.port)) {
      stats.rebinds++;
      log?.info('side moved', {
        route: route.idHex,
        side,
        from: `${end.address}:${end.port}`,
        to: `${from.address}:${from.port}`,
      });
    }
    end.address = from.address;
    end.port = from.port;
    end.lastCounter = counter;
    end.tokenExpiresAtMs = (fields.value.expiresAt + 1) * 1000;
    route.active = true;
    route.lastActiveAtMs = nowMs;
    stats.bindsAccepted++;

    const other = side === 0 ? route.end1 : route.end0;
    answer(
      Buffer.from(encodeRelayBindAckUnsigned(route.routeId, counter, other.address !== null)),
      token.value.sideKey,
      from,
    );
  }

  socket.on('message', (msg, from) => {
    stats.packetsIn++;
    stats.bytesIn += msg.length;
    if (!sourceBudget.take(from.address)) return drop('rate-limited');
    if (msg.length < RELAY_HEADER_LENGTH || !isRelayFrame(msg)) return drop('not-relay-frame');
    if (msg[RELAY_VERSION_OFFSET] !== PROTOCOL_VERSION) return drop('bad-version');
    const type = msg[RELAY_TYPE_OFFSET];
    if (type === RelayFrameType.Data) return onData(msg, from);
    if (type === RelayFrameType.Bind) return onBind(msg, from);
    return drop('unknown-type');
  });

  function sweep(): void {
    const nowMs = now();
    const result = table.sweep(nowMs);
    for (const { route, side } of result.unbound) {
      log?.info('side unbound: token expired', { route: route.idHex, side });
    }
    for (const route of result.expired) {
      log?.info('route expired (idle)', {
        route: route.idHex,
        idleMs: nowMs - route.lastActiveAtMs,
      });
    }
    stats.routesExpired += result.expired.length;
    stats.routesActive = table.size;
    sourceBudget.sweep();
    bindBudget.sweep();
    challengeBudget.sweep();
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    socket.once('error', onError);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // After binding, socket errors (ICMP-triggered, buffer) must never take the relay down.
  socket.on('error', (error) => log?.warn('socket error', { error: error.message }));

  const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  const bound = socket.address();
  log?.info('relay listening', { address: `${bound.address}:${bound.port}` });

  let closed: Promise<void> | null = null;
  return {
    port: bound.port,
    address: bound.address,
    stats,
    capacity: table.capacity,
    sweep,
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(sweepTimer);
        socket.close(() => resolve());
      });
      return closed;
    },
  };
}
