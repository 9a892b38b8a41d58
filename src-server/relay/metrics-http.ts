import http from 'node:http';
import type { RelayStatsSnapshot } from './relay-stats.js';
import { toPrometheusText } from './relay-stats.js';

/**
 * The relay's local observability endpoint (loopback by default; it is not authenticated):
 *   GET /stats    JSON: the counters, plus id and capacity
 *   GET /metrics  Prometheus text format
 *   GET /healthz  "ok"
 * Anything else is 404 (or 405 for other methods); it never reads a request body.
 */

export interface MetricsHttpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  snapshot: () => RelayStatsSnapshot;
  /** Extra fields for /stats (relay id, capacity…). */
  info?: () => Record<string, string | number>;
}

export interface MetricsHttpHandle {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsHttp(options: MetricsHttpOptions): Promise<MetricsHttpHandle> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/stats') {
      const body = JSON.stringify({ ...options.info?.(), ...options.snapshot() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else if (path === '/metrics') {
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(toPrometheusText(options.snapshot()));
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /stats or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
