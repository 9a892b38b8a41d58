import { startRelay, type RelayHandle, type RelayOptions } from './relay-server.js';
import { startMetricsHttp, type MetricsHttpHandle } from './metrics-http.js';
import { startRegistrar, type RegistrarHandle } from './relay-registrar.js';
import { statsLogFields } from './relay-stats.js';
import type { Logger } from '../common/logger.js';

/**
 * The whole relay process minus its CLI: the UDP data plane, the local metrics endpoint, the
 * periodic stats log line and the control-server registrar, started and stopped together.
 * Each part is independent: the registrar failing never affects forwarding.
 */

/** Why 60 s: one line a minute shows the trend in any log viewer without drowning it. */
export const STATS_LOG_INTERVAL_MS = 60_000;

export interface RelayServiceOptions extends RelayOptions {
  id: string;
  region: string;
  /** host:port advertised to the control server. */
  publicEndpoint: string;
  /** Control server base URL; without one the relay runs unregistered. */
  controlUrl?: string;
  /** Pin of the control server's self-signed TLS certificate. */
  controlFingerprint?: string;
  /** null disables the metrics endpoint. */
  metrics: { host: string; port: number } | null;
  statsLogIntervalMs?: number;
  heartbeatIntervalMs?: number;
  maxBackoffMs?: number;
  logger?: Logger;
}

export interface RelayServiceHandle {
  readonly relay: RelayHandle;
  readonly metrics: MetricsHttpHandle | null;
  readonly registrar: RegistrarHandle | null;
  close(): Promise<void>;
}

export async function startRelayService(options: RelayServiceOptions): Promise<RelayServiceHandle> {
  const relay = await startRelay(options);
  const log = options.logger?.child({ area: 'service', id: options.id });
  let metrics: MetricsHttpHandle | null = null;
  let registrar: RegistrarHandle | null = null;
  try {
    if (options.metrics) {
      metrics = await startMetricsHttp({
        ...options.metrics,
        snapshot: () => relay.stats.snapshot(),
        info: () => ({
          id: options.id,
          region: options.region,
          endpoint: options.publicEndpoint,
          capacity: relay.capacity,
          registered: registrar?.status().registered ? 1 : 0,
        }),
      });
      log?.info('metrics endpoint listening', {
        url: `http://${options.metrics.host}:${metrics.port}/stats`,
      });
    }
    if (options.controlUrl) {
      registrar = startRegistrar({
        controlUrl: options.controlUrl,
        controlFingerprint: options.controlFingerprint ?? null,
        secret: options.secret,
        id: options.id,
        region: options.region,
        endpoint: options.publicEndpoint,
        load: () => relay.stats.routesActive / relay.capacity,
        ...(options.now ? { now: options.now } : {}),
        ...(options.heartbeatIntervalMs ? { intervalMs: options.heartbeatIntervalMs } : {}),
        ...(options.maxBackoffMs ? { maxBackoffMs: options.maxBackoffMs } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    } else {
      log?.warn(
        'no --control URL: running unregistered; clients must be configured with this relay',
      );
    }
  } catch (error) {
    await metrics?.close();
    await relay.close();
    throw error;
  }

  const statsTimer = setInterval(
    () => log?.info('stats', statsLogFields(relay.stats.snapshot())),
    options.statsLogIntervalMs ?? STATS_LOG_INTERVAL_MS,
  );
  statsTimer.unref();

  let closing: Promise<void> | null = null;
  return {
    relay,
    metrics,
    registrar,
    close() {
      closing ??= (async () => {
        clearInterval(statsTimer);
        await registrar?.stop();
        await metrics?.close();
        await relay.close();
        log?.info('stopped', statsLogFields(relay.stats.snapshot()));
      })();
      return closing;
    },
  };
}
