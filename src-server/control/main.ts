#!/usr/bin/env node
import { dirname, resolve } from 'node:path';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { createServerLogger } from '../common/logger.js';
import { listenAddressOrExit, relaySecretOrExit } from '../common/listen-address.js';
import { parseEndpoint } from '../../src-shared/domain/endpoint.js';
import { CONTROL_DEFAULTS, startControlServer } from './control-server.js';
import { PRESENCE_DEFAULTS } from './presence.js';
import { loadOrCreateServerKey } from './server-key.js';
import { loadOrCreateCertificate } from './tls-certificate.js';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** `lanrage-control`: the control server as a process. */

const USAGE = `usage: lanrage-control [options]

  --listen host:port     where to serve HTTP and WebSocket (default 127.0.0.1:7400)
  --db path              SQLite database (default ./lanrage-control.db)
  --key path             server key file, created 0600 if missing (default <db>.key)
  --stun host:port       a STUN server to advertise to clients (repeatable)
  --max-members n        members per party (default ${CONTROL_DEFAULTS.maxMembers})
  --offline-after s      silence before a member shows offline (default ${PRESENCE_DEFAULTS.offlineAfterMs / 1000})
  --remove-after s       offline time before a member is removed (default ${PRESENCE_DEFAULTS.removeAfterMs / 1000})
  --party-ttl s          how long an empty party keeps its code (default ${PRESENCE_DEFAULTS.emptyPartyTtlMs / 1000})
  --tls-cert path        PEM certificate to serve https/wss with (with --tls-key)
  --tls-key path         its PEM private key
                         (default: a self-signed certificate made once and kept as
                         <db>.tls.crt / <db>.tls.key; clients pin its fingerprint)
  --no-tls               serve plain http/ws: only behind a TLS-terminating reverse proxy
                         (with --trusted-proxy), or on loopback
  --trusted-proxy ip     a reverse proxy whose X-Forwarded-For is believed (repeatable)
  --max-connections n    open connections at most (default ${CONTROL_DEFAULTS.maxConnections}, lowered to the fd limit)
  --max-per-address n    connections per IPv4 address or IPv6 /64 (default ${CONTROL_DEFAULTS.maxConnectionsPerGroup})
  --dev                  allow running without LANRAGE_RELAY_SECRET (public throwaway secret)
  --help                 this text

Environment: LANRAGE_RELAY_SECRET (shared with relays, 16+ characters), LANRAGE_LOG_LEVEL.
`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`${flag} ${value}: must be a positive number`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        listen: { type: 'string' },
        db: { type: 'string' },
        key: { type: 'string' },
        stun: { type: 'string', multiple: true },
        'max-members': { type: 'string' },
        'offline-after': { type: 'string' },
        'remove-after': { type: 'string' },
        'party-ttl': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'no-tls': { type: 'boolean' },
        'trusted-proxy': { type: 'string', multiple: true },
        'max-connections': { type: 'string' },
        'max-per-address': { type: 'string' },
        dev: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const logger = createServerLogger('lanrage-control');
  const listen = listenAddressOrExit('--listen', values.listen, '127.0.0.1:7400');
  const stun = (values.stun ?? []).map((text) => {
    const parsed = parseEndpoint(text, { allowHostname: true });
    if (!parsed.ok) fail(`--stun ${text}: ${parsed.error}`);
    return text;
  });
  const maxMembers = positiveNumber(
    '--max-members',
    values['max-members'],
    CONTROL_DEFAULTS.maxMembers,
  );
  if (!Number.isInteger(maxMembers) || maxMembers < 2 || maxMembers > 1000) {
    fail('--max-members must be a whole number from 2 to 1000');
  }
  const seconds = (flag: string, value: string | undefined, fallbackMs: number) =>
    positiveNumber(flag, value, fallbackMs / 1000) * 1000;
  const relaySecret = relaySecretOrExit(values.dev === true, (line) => logger.warn(line));
  const dbPath = resolve(values.db ?? 'lanrage-control.db');
  mkdirSync(dirname(dbPath), { recursive: true });
  // The database holds invite codes; create it private (SQLite gives -wal/-shm the same mode).
  closeSync(openSync(dbPath, 'a', 0o600));
  const keyPath = resolve(values.key ?? `${dbPath}.key`);
  const serverKey = loadOrCreateServerKey(keyPath, (line) => logger.warn(line));

  const trustedProxies = (values['trusted-proxy'] ?? []).map((ip) => {
    if (isIP(ip) === 0) fail(`--trusted-proxy ${ip}: must be an IP address`);
    return ip;
  });
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (values['no-tls']) {
    if (values['tls-cert'] || values['tls-key'])
      fail('--no-tls cannot go with --tls-cert/--tls-key');
    if (!isLoopback(listen.host) && trustedProxies.length === 0) {
      logger.warn(
        'serving plain http on a non-loopback address without --trusted-proxy: invite codes, keys and addresses cross the network in clear text',
      );
    }
  } else if (values['tls-cert'] || values['tls-key']) {
    if (!values['tls-cert'] || !values['tls-key']) fail('--tls-cert and --tls-key go together');
    tls = { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) };
  } else {
    const made = loadOrCreateCertificate(`${dbPath}.tls.crt`, `${dbPath}.tls.key`);
    if (made.created)
      logger.info('created a self-signed TLS certificate', { path: `${dbPath}.tls.crt` });
    tls = { cert: made.cert, key: made.key };
  }
  const maxConnections = positiveNumber(
    '--max-connections',
    values['max-connections'],
    CONTROL_DEFAULTS.maxConnections,
  );
  const maxConnectionsPerGroup = positiveNumber(
    '--max-per-address',
    values['max-per-address'],
    CONTROL_DEFAULTS.maxConnectionsPerGroup,
  );

  const server = await startControlServer({
    ...(tls && { tls }),
    trustedProxies,
    maxConnections,
    maxConnectionsPerGroup,
    host: listen.host,
    port: listen.port,
    dbPath,
    serverKey,
    relaySecret,
    stun,
    maxMembers,
    offlineAfterMs: seconds(
      '--offline-after',
      values['offline-after'],
      PRESENCE_DEFAULTS.offlineAfterMs,
    ),
    removeAfterMs: seconds(
      '--remove-after',
      values['remove-after'],
      PRESENCE_DEFAULTS.removeAfterMs,
    ),
    emptyPartyTtlMs: seconds('--party-ttl', values['party-ttl'], PRESENCE_DEFAULTS.emptyPartyTtlMs),
    logger,
  });
  // One line on stdout, for people and for scripts that start us on port 0.
  process.stdout.write(
    `lanrage-control listening on ${server.url} (WebSocket ${server.wsUrl}, server key ${server.serverPublicKey}${server.fingerprint ? `, TLS fingerprint ${server.fingerprint}` : ''})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `lanrage-control: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
