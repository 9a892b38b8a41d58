import { afterEach, expect, it } from 'vitest';
import { startMetricsHttp } from './metrics-http.js';
import { RelayStats } from './relay-stats.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(stats: RelayStats) {
  const metrics = await startMetricsHttp({
    host: '127.0.0.1',
    port: 0,
    snapshot: () => stats.snapshot(),
    info: () => ({ id: 'relay-m', capacity: 100 }),
  });
  cleanups.push(() => metrics.close());
  return `http://127.0.0.1:${metrics.port}`;
}

it('serves the live counters as JSON at /stats', async () => {
  const stats = new RelayStats();
  const base = await serve(stats);
  stats.forwardedPackets = 3;
  stats.routesActive = 2;
  stats.drop('bad-token');
  stats.drop('bad-token');
  const res = await fetch(`${base}/stats`);
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    id: 'relay-m',
    capacity: 100,
    forwardedPackets: 3,
    routesActive: 2,
    droppedPackets: 2,
  });
  expect((body.drops as Record<string, number>)['bad-token']).toBe(2);
});

it('serves Prometheus text at /metrics with a series per drop reason', async () => {
  const stats = new RelayStats();
  const base = await serve(stats);
  stats.bytesIn = 1234;
  stats.drop('rate-limited');
  const text = await (await fetch(`${base}/metrics`)).text();
  expect(text).toContain(
    '# TYPE lanrage_relay_bytes_in_total counter\nlanrage_relay_bytes_in_total 1234\n',
  );
  expect(text).toContain('lanrage_relay_dropped_packets_total{reason="rate-limited"} 1\n');
  expect(text).toContain('lanrage_relay_dropped_packets_total{reason="bad-token"} 0\n');
  expect(text).toContain(
    '# TYPE lanrage_relay_routes_active gauge\nlanrage_relay_routes_active 0\n',
  );
  // Every non-comment line is "name{labels} number".
  for (const line of text
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('#'))) {
    expect(line).toMatch(/^lanrage_relay_[a-z_]+(\{reason="[a-z-]+"\})? \d+$/);
  }
});

it('answers 404 for other paths and 405 for other methods', async () => {
  const base = await serve(new RelayStats());
  expect((await fetch(`${base}/admin`)).status).toBe(404);
  expect((await fetch(`${base}/stats`, { method: 'POST', body: 'x' })).status).toBe(405);
  expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
});
