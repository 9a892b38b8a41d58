import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import type { ControlClient } from '../../src-main/core/control/control-client.js';
import type { ControlEvent } from '../../src-shared/protocol/control-messages.js';
import { RELAY_SIGNATURE_HEADER } from '../../src-shared/protocol/control-messages.js';
import { signRelayRegistration } from '../common/relay-registration-signature.js';
import type { ControlServer } from './control-server.js';
import {
  connectedClient,
  eventually,
  memberInfo,
  startTestServer,
  TEST_SECRET,
} from './test-support.js';

let server: ControlServer;
const clients: ControlClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function client(): Promise<ControlClient & { events: ControlEvent[] }> {
  const c = await connectedClient(server);
  const events: ControlEvent[] = [];
  c.on('event', (e) => events.push(e));
  clients.push(c);
  return Object.assign(c, { events });
}

function postRelay(body: string, signature?: string) {
  return fetch(`${server.url}/v1/relays/heartbeat`, {
    method: 'POST',
    headers: signature ? { [RELAY_SIGNATURE_HEADER]: signature } : {},
    body,
  });
}

function relayBody(id: string, overrides: Record<string, unknown> = {}) {
  return JSON.stringify({
    v: 1,
    id,
    region: 'eu-west',
    endpoint: '203.0.113.9:7000',
    load: 0.2,
    sentAt: Date.now(),
    ...overrides,
  });
}

describe('control server over WebSocket', () => {
  it('runs a party through create, join, update and leave, pushing each change', async () => {
    server = await startTestServer();
    const alice = await client();
    const bob = await client();
    const carol = await client();
    const { party } = await alice.request('party.create', {
      partyName: 'LAN night',
      memberName: 'alice',
      member: memberInfo(),
    });
    await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'bob',
      member: memberInfo(),
    });
    const { party: seenByCarol } = await carol.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'carol',
      member: memberInfo(),
    });
    await eventually(() => alice.events.length === 2 && bob.events.length === 1);
    expect(alice.events.map((e) => e.event)).toEqual(['member.joined', 'member.joined']);

    // Every member sees the same IP for the same peer.
    const ipsFromCarol = Object.fromEntries(
      seenByCarol.members.map((m) => [m.publicKey, m.virtualIp]),
    );
    const joinedEvents = alice.events.flatMap((e) =>
      e.event === 'member.joined' ? [e.member] : [],
    );
    for (const m of joinedEvents) expect(ipsFromCarol[m.publicKey]).toBe(m.virtualIp);
    expect(Object.values(ipsFromCarol).sort()).toEqual(['10.66.0.1', '10.66.0.2', '10.66.0.3']);

    const { member } = await bob.request('member.update', {
      partyId: party.id,
      member: memberInfo({ natType: 'full_cone', publicEndpoint: '198.51.100.1:5000' }),
    });
    expect(member.natType).toBe('full_cone');
    await eventually(() => carol.events.some((e) => e.event === 'member.updated'));

    await alice.request('party.leave', { partyId: party.id });
    await eventually(() => bob.events.some((e) => e.event === 'member.left'));
    expect(bob.events.at(-1)).toMatchObject({
      event: 'member.left',
      publicKey: alice.publicKey,
      reason: 'left',
    });
  });

  it('delivers a signal to its addressee only, and never across parties', async () => {
    server = await startTestServer();
    const [alice, bob, carol, mallory] = [
      await client(),
      await client(),
      await client(),
      await client(),
    ];
    const { party } = await alice.request('party.create', {
      partyName: 'p',
      memberName: 'a',
      member: memberInfo(),
    });
    await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'b',
      member: memberInfo(),
    });
    await carol.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'c',
      member: memberInfo(),
    });
    const other = await mallory.request('party.create', {
      partyName: 'q',
      memberName: 'm',
      member: memberInfo(),
    });
    const signal = { kind: 'punch', at: alice.serverNow() + 500, attempt: 0 } as const;
    carol.events.length = 0;

    expect(await alice.request('signal', { partyId: party.id, to: bob.publicKey, signal })).toEqual(
      { delivered: true },
    );
    await eventually(() => bob.events.some((e) => e.event === 'signal'));
    expect(bob.events.find((e) => e.event === 'signal')).toEqual({
      t: 'event',
      event: 'signal',
      partyId: party.id,
      from: alice.publicKey,
      signal,
    });
    await expect(
      mallory.request('signal', { partyId: other.party.id, to: bob.publicKey, signal }),
    ).rejects.toMatchObject({ failure: 'unknown_peer' });
    await expect(
      mallory.request('signal', { partyId: party.id, to: bob.publicKey, signal }),
    ).rejects.toMatchObject({ failure: 'not_member' });
    await new Promise((r) => setTimeout(r, 50));
    expect(carol.events.filter((e) => e.event === 'signal')).toEqual([]);
    expect(bob.events.filter((e) => e.event === 'signal')).toHaveLength(1);
  });

  it('hands both members of a pair tokens for the same route, on opposite sides', async () => {
    server = await startTestServer();
    const [alice, bob] = [await client(), await client()];
    const { party } = await alice.request('party.create', {
      partyName: 'p',
      memberName: 'a',
      member: memberInfo(),
    });
    await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'b',
      member: memberInfo(),
    });
    const ga = await alice.request('route.token', { partyId: party.id, peer: bob.publicKey });
    const gb = await bob.request('route.token', { partyId: party.id, peer: alice.publicKey });
    expect(ga.routeId).toBe(gb.routeId);
    expect(new Set([ga.side, gb.side])).toEqual(new Set([0, 1]));
    // Ten minutes, as the README says.
    const nowSeconds = Date.now() / 1000;
    expect(ga.expiresAt).toBeGreaterThan(nowSeconds + 590);
    expect(ga.expiresAt).toBeLessThanOrEqual(nowSeconds + 601);
  });

  it('gives a member that reconnects its party in the welcome and shows it online again', async () => {
    server = await startTestServer();
    const keys = generateKeyPair();
    const bob = await client();
    const alice = await connectedClient(server, keys);
    const { party } = await alice.request('party.create', {
      partyName: 'p',
      memberName: 'a',
      member: memberInfo(),
    });
    await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'b',
      member: memberInfo(),
    });
    await alice.close();
    await eventually(() =>
      bob.events.some(
        (e) =>
          e.event === 'member.updated' && e.member.publicKey === keys.publicKey && !e.member.online,
      ),
    );
    const again = await connectedClient(server, keys);
    clients.push(again);
    expect(again.welcome?.party?.id).toBe(party.id);
    expect(again.welcome?.party?.members.map((m) => m.virtualIp)).toEqual([
      '10.66.0.1',
      '10.66.0.2',
    ]);
    await eventually(() => {
      const last = bob.events.at(-1);
      return last?.event === 'member.updated' && last.member.online;
    });
  });

  it('registers signed relays, refuses unsigned, stale and replayed ones, and pushes the change', async () => {
    server = await startTestServer();
    const alice = await client();
    const good = relayBody('relay-1');
    expect((await postRelay(good, signRelayRegistration(TEST_SECRET, good))).status).toBe(204);
    await eventually(() => alice.events.some((e) => e.event === 'relays.changed'));
    expect(alice.events[0]).toMatchObject({
      event: 'relays.changed',
      relays: [{ id: 'relay-1', healthy: true }],
    });

    const unsigned = relayBody('relay-2');
    expect((await postRelay(unsigned)).status).toBe(401);
    expect(
      (
        await postRelay(
          unsigned,
          signRelayRegistration(Buffer.from('another-secret-16chars'), unsigned),
        )
      ).status,
    ).toBe(401);
    const stale = relayBody('relay-3', { sentAt: Date.now() - 120_000 });
    const staleRes = await postRelay(stale, signRelayRegistration(TEST_SECRET, stale));
    expect(staleRes.status).toBe(400);
    expect(((await staleRes.json()) as { error: string }).error).toMatch(/off the server clock/);
    const older = relayBody('relay-1', { sentAt: Date.now() - 10_000 });
    expect((await postRelay(older, signRelayRegistration(TEST_SECRET, older))).status).toBe(400);
    const badShape = relayBody('relay 4!');
    expect((await postRelay(badShape, signRelayRegistration(TEST_SECRET, badShape))).status).toBe(
      400,
    );
    expect((await postRelay('x'.repeat(10_000), 'ab')).status).toBe(413);

    const { relays } = await alice.request('relays.list');
    expect(relays.map((r) => r.id)).toEqual(['relay-1']);
  });

  it('stops offering a relay whose heartbeats stop, and says so', async () => {
    server = await startTestServer({ relayHealthyForMs: 150, sweepIntervalMs: 20 });
    const alice = await client();
    const body = relayBody('relay-1');
    await postRelay(body, signRelayRegistration(TEST_SECRET, body));
    await eventually(() =>
      alice.events.some((e) => e.event === 'relays.changed' && e.relays.length === 0),
    );
    expect((await alice.request('relays.list')).relays).toEqual([]);
  });

  it('serves /health as JSON and /metrics as Prometheus text', async () => {
    server = await startTestServer();
    const alice = await client();
    await alice.request('party.create', { partyName: 'p', memberName: 'a', member: memberInfo() });
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      parties: 1,
      members: 1,
      membersOnline: 1,
      sessions: 1,
    });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('lanrage_control_requests_total{op="party.create"} 1');
    expect(metrics).toMatch(/lanrage_control_connections_open 1\n/);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('marks a member offline when it goes silent and drops its socket', async () => {
    server = await startTestServer({ offlineAfterMs: 150, sweepIntervalMs: 20 });
    const bob = await client();
    // Heartbeats far apart: the server hears nothing from alice after her create.
    const alice = await connectedClient(server, generateKeyPair(), { heartbeatIntervalMs: 60_000 });
    clients.push(alice);
    const { party } = await alice.request('party.create', {
      partyName: 'p',
      memberName: 'a',
      member: memberInfo(),
    });
    // Bob keeps talking.
    const keepAlive = setInterval(() => void bob.request('heartbeat').catch(() => {}), 40);
    await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'b',
      member: memberInfo(),
    });
    await eventually(() =>
      bob.events.some(
        (e) =>
          e.event === 'member.updated' &&
          e.member.publicKey === alice.publicKey &&
          !e.member.online,
      ),
    );
    // The client library notices the drop and logs back in by itself.
    await eventually(
      () =>
        alice.state === 'reconnecting' ||
        alice.state === 'connecting' ||
        alice.state === 'authenticating',
    );
    await eventually(() => alice.state === 'ready');
    clearInterval(keepAlive);
  });
});
