import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RELAY_SIGNATURE_HEADER,
  RelayRegistrationSchema,
  type RelayRegistration,
} from '../../src-shared/protocol/control-messages.js';
import { encodeRelayData } from '../../src-shared/protocol/relay-frames.js';
import { relayRegistrationSignatureValid } from '../common/relay-registration-signature.js';
import { heartbeatDelay, startRegistrar, validateRegistration } from './relay-registrar.js';
import { startRelayService } from './relay-service.js';
import {
  bindAtRelay,
  captureLogger,
  grantPair,
  openClient,
  TEST_SECRET,
  until,
} from './relay-test-kit.js';

/** A stand-in control server: checks the signature and the schema as the real one must. */
async function fakeControl(options: { status?: number; port?: number } = {}) {
  const beats: { body: RelayRegistration; at: number }[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const signature = req.headers[RELAY_SIGNATURE_HEADER];
      if (req.method !== 'POST' || req.url !== '/v1/relays/heartbeat') {
        refused.push(`${req.method} ${req.url}`);
        return res.writeHead(404).end();
      }
      if (
        !relayRegistrationSignatureValid(
          TEST_SECRET,
          text,
          typeof signature === 'string' ? signature : undefined,
        )
      ) {
        refused.push('bad signature');
        return res.writeHead(401).end('{"error":"bad signature"}');
      }
      const body = RelayRegistrationSchema.safeParse(JSON.parse(text));
      if (!body.success) {
        refused.push('bad body');
        return res.writeHead(400).end();
      }
      beats.push({ body: body.data, at: Date.now() });
      res
        .writeHead(options.status ?? 200, { 'content-type': 'application/json' })
        .end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    beats,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const registration = {
  secret: TEST_SECRET,
  id: 'relay-test-1',
  region: 'eu-west',
  endpoint: '203.0.113.7:7401',
};

describe('relay registrar', () => {
  it('posts signed heartbeats carrying its id, endpoint and load, every interval', async () => {
    const control = await fakeControl();
    cleanups.push(control.close);
    const registrar = startRegistrar({
      ...registration,
      controlUrl: control.url,
      load: () => 0.25,
      intervalMs: 30,
    });
    cleanups.push(() => registrar.stop());
    await until(() => control.beats.length >= 3, 5000, 'three heartbeats');
    expect(control.refused).toEqual([]);
    expect(control.beats[0]!.body).toMatchObject({
      v: 1,
      id: 'relay-test-1',
      region: 'eu-west',
      load: 0.25,
    });
    expect(control.beats[0]!.body.endpoint).toBe('203.0.113.7:7401');
    expect(Math.abs(control.beats[0]!.body.sentAt - Date.now())).toBeLessThan(5000);
    expect(registrar.status()).toMatchObject({ registered: true, consecutiveFailures: 0 });
  });

  it('is refused by a control server that holds another secret, and says so once', async () => {
    const control = await fakeControl();
    cleanups.push(control.close);
    const { logger, lines } = captureLogger();
    const registrar = startRegistrar({
      ...registration,
      secret: Buffer.from('some-other-secret-entirely'),
      controlUrl: control.url,
      load: () => 0,
      intervalMs: 10,
      maxBackoffMs: 20,
      logger,
    });
    cleanups.push(() => registrar.stop());
    await until(() => control.refused.length >= 3, 5000, 'three refusals');
    expect(control.beats).toEqual([]);
    expect(registrar.status().registered).toBe(false);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.error)).toContain('HTTP 401');
  });

  it.each([
    [0, 10_000],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 60_000],
    [50, 60_000],
  ])('waits, after %i failures in a row, %i ms before the next heartbeat', (failures, delay) => {
    expect(heartbeatDelay(failures, 10_000, 60_000, 0.5)).toBe(delay);
  });

  it('spreads retries by at most 20 % either way', () => {
    expect(heartbeatDelay(2, 10_000, 60_000, 0)).toBe(16_000);
    expect(heartbeatDelay(2, 10_000, 60_000, 0.999999)).toBe(24_000);
    expect(heartbeatDelay(0, 10_000, 60_000, 0)).toBe(10_000); // healthy beats are not jittered
  });

  it('keeps retrying, no sooner than its backoff, while the control server fails', async () => {
    const control = await fakeControl({ status: 503 });
    cleanups.push(control.close);
    const registrar = startRegistrar({
      ...registration,
      controlUrl: control.url,
      load: () => 0,
      intervalMs: 20,
      maxBackoffMs: 80,
      random: () => 0.5, // no jitter
    });
    cleanups.push(() => registrar.stop());
    await until(() => control.beats.length >= 5, 5000, 'five attempts');
    const gaps = control.beats.slice(1).map((beat, i) => beat.at - control.beats[i]!.at);
    // 20, 40, 80, 80 ms: timers fire late on a busy machine, never early.
    [18, 38, 78, 78].forEach((least, i) => expect(gaps[i]).toBeGreaterThanOrEqual(least));
    await until(() => registrar.status().consecutiveFailures >= 5, 5000, 'five counted failures');
    expect(registrar.status().registered).toBe(false);
  });

  it('refuses registration options the control server would reject', () => {
    const base = { ...registration, controlUrl: 'http://127.0.0.1:1', load: () => 0 };
    expect(validateRegistration(base)).toBeNull();
    expect(validateRegistration({ ...base, id: 'has spaces' })).toMatch(/^id: /);
    expect(validateRegistration({ ...base, endpoint: 'nowhere' })).toMatch(/^endpoint: /);
    expect(validateRegistration({ ...base, controlUrl: 'ftp://x' })).toMatch(/http/);
    expect(() => startRegistrar({ ...base, controlUrl: 'not a url' })).toThrow(/not a URL/);
  });
});

describe('relay service with a control server', () => {
  it('keeps forwarding while the control server is down, and re-registers when it returns', async () => {
    let control = await fakeControl();
    const controlPort = control.port;
    const { logger, lines } = captureLogger();
    const service = await startRelayService({
      secret: TEST_SECRET,
      host: '127.0.0.1',
      id: 'relay-svc',
      region: 'test',
      publicEndpoint: '127.0.0.1:7401',
      controlUrl: control.url,
      metrics: null,
      heartbeatIntervalMs: 20,
      maxBackoffMs: 40,
      logger,
    });
    cleanups.push(() => service.close());
    await until(() => control.beats.length >= 1, 5000, 'registration');

    const [routeA, routeB] = grantPair(TEST_SECRET, Math.floor(Date.now() / 1000) + 3600);
    const a = await openClient();
    const b = await openClient();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await bindAtRelay(a, service.relay.port, routeA);
    await bindAtRelay(b, service.relay.port, routeB);
    await until(
      () => control.beats.some((beat) => beat.body.load > 0),
      5000,
      'a heartbeat with load',
    );
    expect(control.beats.at(-1)!.body.load).toBeCloseTo(1 / service.relay.capacity);

    await control.close();
    await until(
      () => (service.registrar?.status().consecutiveFailures ?? 0) >= 3,
      5000,
      'failed heartbeats',
    );
    for (let i = 0; i < 20; i++) {
      const frame = Buffer.from(
        encodeRelayData(routeA.routeId, Buffer.from(`during the outage ${i}`)),
      );
      await a.send(frame, service.relay.port);
      expect(await b.next()).toEqual(frame);
    }
    const outageWarnings = lines.filter(
      (l) => l.level === 'warn' && /heartbeat failed/.test(l.message),
    );
    expect(outageWarnings).toHaveLength(1);

    control = await fakeControl({ port: controlPort });
    cleanups.push(control.close);
    await until(() => control.beats.length >= 1, 5000, 're-registration');
    await until(
      () => lines.some((l) => /reachable again/.test(l.message)),
      5000,
      'the recovery line',
    );
    expect(service.registrar?.status().consecutiveFailures).toBe(0);
  });
});
