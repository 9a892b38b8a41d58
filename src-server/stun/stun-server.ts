import dgram from 'node:dgram';
import net from 'node:net';
import winston from 'winston';
import { formatEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';
import { TokenBuckets } from '../common/token-bucket.js';
import { answerBinding, type SocketRole } from './binding-answer.js';

/**
 * lanrage-stun: RFC 5389 Binding, plus RFC 5780 NAT behaviour discovery when given a second
 * address. With `alternate`, four sockets are bound — {primary IP, alternate IP} ×
 * {primary port, alternate port} — and a CHANGE-REQUEST picks which one answers
 * (see binding-answer.ts for the table).
 *
 * Sockets are our own dgram sockets rather than the `stun` package's StunServer: that class
 * hands anything whose first byte is 0-3 to its decoder and emits whatever decodes, while a
 * public server must drop malformed input silently and route answers across sockets.
 */

export interface StunServerOptions {
  listen: Endpoint;
  /** Second IP and port for RFC 5780; both IPs must be concrete addresses of this host. */
  alternate?: Endpoint;
  logger?: winston.Logger;
  /** Per-source-IP limit on datagrams handled; `false` turns it off (benchmarks, fuzzing). */
  rateLimit?: { ratePerSecond: number; burst: number } | false;
  /** Clock for the rate limiter (ms). */
  now?: () => number;
}

export interface StunServerStats {
  received: number;
  answered: number;
  errorResponses: number;
  malformed: number;
  ignored: number;
  sendFailures: number;
  rateLimited: number;
  internalErrors: number;
}

export interface RunningStunServer {
  /** Where clients send their first request (primary IP, primary port). */
  primary: Endpoint;
  /** The RFC 5780 OTHER-ADDRESS of the primary (alternate IP, alternate port), or null. */
  other: Endpoint | null;
  /** Every bound socket by role ('pp' only without an alternate). */
  sockets: Partial<Record<SocketRole, Endpoint>>;
  stats(): StunServerStats;
  close(): Promise<void>;
}

/**
 * How often to retry binding the four sockets when ports were ephemeral (0): the second IP's
 * copy of an ephemeral port can, rarely, already be taken there by someone else.
 */
const EPHEMERAL_BIND_ATTEMPTS = 5;

/**
 * Per source IP. Encoding an answer costs ~0.1 ms in the `stun` package, so one flooding host
 * could otherwise take a core. A client's whole NAT detection is 5 transactions of at most 4
 * transmissions (20 datagrams); the burst covers ten such clients behind one public IP (a CGNAT,
 * a shared house) starting at once, and the rate lets them refresh every few seconds.
 */
export const DEFAULT_STUN_RATE_LIMIT = { ratePerSecond: 50, burst: 200 };
/** How often idle per-source buckets are forgotten, bounding memory under spoofed floods. */
const RATE_LIMIT_SWEEP_MS = 10_000;

const silentLogger = () => winston.createLogger({ silent: true });

export async function startStunServer(options: StunServerOptions): Promise<RunningStunServer> {
  const log = options.logger ?? silentLogger();
  const { listen, alternate } = options;
  if (alternate !== undefined) checkAlternate(listen, alternate);
  const family: 'udp4' | 'udp6' = net.isIPv6(listen.host) ? 'udp6' : 'udp4';

  const stats: StunServerStats = {
    received: 0,
    answered: 0,
    errorResponses: 0,
    malformed: 0,
    ignored: 0,
    sendFailures: 0,
    rateLimited: 0,
    internalErrors: 0,
  };
  const limit = options.rateLimit ?? DEFAULT_STUN_RATE_LIMIT;
  const buckets = limit === false ? null : new TokenBuckets<string>({ ...limit, now: options.now });
  const sweeper = buckets ? setInterval(() => buckets.sweep(), RATE_LIMIT_SWEEP_MS) : null;
  sweeper?.unref();
  const sockets = new Map<SocketRole, dgram.Socket>();
  const addresses: Partial<Record<SocketRole, Endpoint>> = {};
  const rfc5780 = alternate !== undefined;
  const originKnown = !isWildcard(listen.host);

  const onMessage = (role: SocketRole) => (data: Buffer, rinfo: dgram.RemoteInfo) => {
    stats.received++;
    if (buckets !== null && !buckets.take(rinfo.address)) {
      stats.rateLimited++;
      return;
    }
    let answer;
    try {
      answer = answerBinding(data, {
        receivedOn: role,
        from: { host: rinfo.address, port: rinfo.port },
        addresses,
        rfc5780,
        originKnown,
      });
    } catch (error) {
      // Framing is checked before the package touches anything, so this means a bug (or an
      // address the package cannot encode, e.g. an IPv6 zone id); one datagram must not stop
      // the server either way.
      stats.internalErrors++;
      log.error('cannot answer datagram', { from: rinfo.address, error: (error as Error).message });
      return;
    }
    if (answer.kind === 'drop') {
      stats[answer.reason]++;
      log.debug('dropped datagram', { from: `${rinfo.address}:${rinfo.port}`, why: answer.detail });
      return;
    }
    const socket = sockets.get(answer.via);
    if (socket === undefined) return;
    if (answer.errorCode === null) stats.answered++;
    else stats.errorResponses++;
    socket.send(answer.bytes, rinfo.port, rinfo.address, (error) => {
      if (error) {
        stats.sendFailures++;
        log.warn('send failed', { to: `${rinfo.address}:${rinfo.port}`, error: error.message });
      }
    });
  };

  const bindOne = async (role: SocketRole, host: string, port: number) => {
    const socket = dgram.createSocket({ type: family });
    socket.on('message', onMessage(role));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // After bind, an error (e.g. ICMP-driven on some OSes) must not crash the process.
    socket.on('error', (error) => log.warn('socket error', { role, error: error.message }));
    sockets.set(role, socket);
    const bound = socket.address();
    addresses[role] = { host: bound.address, port: bound.port };
    return bound.port;
  };

  const closeAll = async () => {
    await Promise.all(
      [...sockets.values()].map((s) => new Promise<void>((r) => s.close(() => r()))),
    );
    sockets.clear();
    for (const role of Object.keys(addresses) as SocketRole[]) delete addresses[role];
  };

  const ephemeral = listen.port === 0 || alternate?.port === 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const primaryPort = await bindOne('pp', listen.host, listen.port);
      if (alternate !== undefined) {
        const alternatePort = await bindOne('aa', alternate.host, alternate.port);
        if (alternatePort === primaryPort) {
          // Two ephemeral picks on different IPs can coincide; RFC 5780 needs two ports.
          throw Object.assign(new Error('ports coincide'), { code: 'EADDRINUSE' });
        }
        await bindOne('pa', listen.host, alternatePort);
        await bindOne('ap', alternate.host, primaryPort);
      }
      break;
    } catch (error) {
      await closeAll();
      const code = (error as NodeJS.ErrnoException).code;
      if (ephemeral && code === 'EADDRINUSE' && attempt < EPHEMERAL_BIND_ATTEMPTS) continue;
      const what = alternate
        ? `${formatEndpoint(listen)} + ${formatEndpoint(alternate)}`
        : formatEndpoint(listen);
      throw new Error(`cannot bind STUN sockets on ${what}: ${(error as Error).message}`);
    }
  }

  const primary = addresses.pp!;
  const other = addresses.aa ?? null;
  log.info('listening', {
    primary: formatEndpoint(primary),
    other: other ? formatEndpoint(other) : 'none (RFC 5389 only)',
  });

  let closed: Promise<void> | null = null;
  return {
    primary,
    other,
    sockets: { ...addresses },
    stats: () => ({ ...stats }),
    close: () => {
      if (sweeper !== null) clearInterval(sweeper);
      return (closed ??= closeAll());
    },
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function checkAlternate(listen: Endpoint, alternate: Endpoint): void {
  for (const [flag, endpoint] of [
    ['--listen', listen],
    ['--alternate', alternate],
  ] as const) {
    if (net.isIP(endpoint.host) === 0 || isWildcard(endpoint.host)) {
      throw new Error(
        `${flag} ${formatEndpoint(endpoint)}: RFC 5780 needs concrete IP addresses (not names or ` +
          'wildcards), because the server must choose which IP each answer leaves from',
      );
    }
  }
  if (net.isIP(listen.host) !== net.isIP(alternate.host)) {
    throw new Error('--listen and --alternate must be the same IP family');
  }
  if (listen.host === alternate.host) {
    throw new Error(`--alternate must be a different IP than --listen (both are ${listen.host})`);
  }
  if (listen.port !== 0 && listen.port === alternate.port) {
    throw new Error(
      `--alternate must use a different port than --listen (both are ${listen.port})`,
    );
  }
}
