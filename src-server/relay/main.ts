import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { formatEndpoint } from '../../src-shared/domain/endpoint.js';
import { createServerLogger } from '../common/logger.js';
import { listenAddressOrExit, relaySecretOrExit } from '../common/listen-address.js';
import {
  DEFAULT_BIND_RATE,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_ROUTES,
  DEFAULT_SOURCE_RATE,
} from './relay-server.js';
import { startRelayService } from './relay-service.js';

/** `lanrage-relay`: forwards UDP between the two authorised sides of each route. */

const DEFAULT_LISTEN = '0.0.0.0:7401';
const DEFAULT_METRICS = '127.0.0.1:7402';

const USAGE = `usage: lanrage-relay [options]

  --listen host:port           UDP address to serve (default ${DEFAULT_LISTEN})
  --public-endpoint host:port  address advertised to the control server (default: --listen;
                               required when --listen is a wildcard and --control is set)
  --control URL                control server to register and heartbeat with
  --control-fingerprint FP     its TLS certificate fingerprint (printed by lanrage-control),
                               when it uses a self-signed certificate
  --id NAME                    relay id (default relay-<hostname>)
  --region NAME                region shown to clients (default empty)
  --metrics host:port|off      local HTTP /stats and /metrics (default ${DEFAULT_METRICS})
  --max-routes N               route capacity (default ${DEFAULT_MAX_ROUTES})
  --idle-timeout SECONDS       remove routes idle this long (default ${DEFAULT_IDLE_TIMEOUT_MS / 1000})
  --rate-pps N --rate-burst N  per-source-IP packet budget (default ${DEFAULT_SOURCE_RATE.packetsPerSecond}/s, burst ${DEFAULT_SOURCE_RATE.burst})
  --bind-rate N --bind-burst N per-source-IP BIND budget (default ${DEFAULT_BIND_RATE.packetsPerSecond}/s, burst ${DEFAULT_BIND_RATE.burst})
  --dev                        allow running without LANRAGE_RELAY_SECRET (public test secret)

The route-token secret comes from LANRAGE_RELAY_SECRET, shared with the control server.
`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1)
    fail(`${flag} ${value}: must be a positive integer`);
  return Number(value);
}

function defaultId(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 58);
  return `relay-${name || 'unnamed'}`;
}

let args;
try {
  args = parseArgs({
    options: {
      listen: { type: 'string' },
      'public-endpoint': { type: 'string' },
      control: { type: 'string' },
      'control-fingerprint': { type: 'string' },
      id: { type: 'string' },
      region: { type: 'string' },
      metrics: { type: 'string' },
      'max-routes': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'rate-pps': { type: 'string' },
      'rate-burst': { type: 'string' },
      'bind-rate': { type: 'string' },
      'bind-burst': { type: 'string' },
      dev: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const logger = createServerLogger('lanrage-relay');
const listen = listenAddressOrExit('--listen', args.listen, DEFAULT_LISTEN);
const secret = relaySecretOrExit(args.dev, (line) => logger.warn(line));
const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
const publicEndpoint = args['public-endpoint']
  ? formatEndpoint(listenAddressOrExit('--public-endpoint', args['public-endpoint'], ''))
  : formatEndpoint(listen);
if (args.control && wildcard && !args['public-endpoint']) {
  fail(
    `--listen ${formatEndpoint(listen)} is a wildcard; pass --public-endpoint host:port for clients`,
  );
}
const metrics =
  args.metrics === 'off' ? null : listenAddressOrExit('--metrics', args.metrics, DEFAULT_METRICS);

let service;
try {
  service = await startRelayService({
    secret,
    host: listen.host,
    port: listen.port,
    id: args.id ?? defaultId(),
    region: args.region ?? '',
    publicEndpoint,
    ...(args.control ? { controlUrl: args.control } : {}),
    ...(args['control-fingerprint'] ? { controlFingerprint: args['control-fingerprint'] } : {}),
    metrics,
    maxRoutes: positiveInt('--max-routes', args['max-routes'], DEFAULT_MAX_ROUTES),
    idleTimeoutMs:
      positiveInt('--idle-timeout', args['idle-timeout'], DEFAULT_IDLE_TIMEOUT_MS / 1000) * 1000,
    sourceRate: {
      packetsPerSecond: positiveInt(
        '--rate-pps',
        args['rate-pps'],
        DEFAULT_SOURCE_RATE.packetsPerSecond,
      ),
      burst: positiveInt('--rate-burst', args['rate-burst'], DEFAULT_SOURCE_RATE.burst),
    },
    bindRate: {
      packetsPerSecond: positiveInt(
        '--bind-rate',
        args['bind-rate'],
        DEFAULT_BIND_RATE.packetsPerSecond,
      ),
      burst: positiveInt('--bind-burst', args['bind-burst'], DEFAULT_BIND_RATE.burst),
    },
    logger,
  });
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(
  `lanrage-relay listening on udp ${service.relay.address}:${service.relay.port}\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info(`${signal}: shutting down`);
    void service.close().then(() => process.exit(0));
  });
}
