import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from './topology.js';
import { UdpAgent } from './udp-agent-client.js';

/**
 * Each NAT kind behaves as claimed, seen from a STUN-like responder on two IPs × two ports.
 * Every check uses a fresh agent (a fresh socket, so a fresh NAT mapping): an earlier probe to
 * the other port would otherwise open the very hole a filtering check is looking for.
 */
let lab: Lab;
const agents: UdpAgent[] = [];
const [IP1, IP2] = ['198.18.0.20', '198.18.0.21'];
const A = `${IP1}:3478`;

async function agentIn(ns: string, port = 0): Promise<UdpAgent> {
  const agent = await UdpAgent.start(ns, port);
  agents.push(agent);
  return agent;
}

async function mappedPort(agent: UdpAgent, to: string): Promise<number> {
  const answer = await agent.ask(to);
  if (!answer.ok) throw new Error(`no answer from ${to}: ${answer.error}`);
  return answer.mapped.port;
}

beforeAll(async () => {
  lab = await Lab.start({
    players: [
      { name: 'open', nat: 'open' },
      { name: 'full', nat: 'full_cone' },
      { name: 'port', nat: 'port_restricted' },
      { name: 'sym', nat: 'symmetric' },
    ],
  });
});

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await lab?.stop();
});

describe('open (no NAT)', () => {
  it('shows the player its own address and port at every destination', async () => {
    const player = lab.player('open');
    const agent = await agentIn(player.ns);
    for (const to of [A, `${IP2}:3479`]) {
      const answer = await agent.ask(to);
      expect(answer).toMatchObject({ ok: true, mapped: { host: player.ip, port: agent.port } });
    }
  });

  it('accepts unsolicited packets from any address', async () => {
    const agent = await agentIn(lab.player('open').ns);
    expect(await agent.ask(A, 'other-both')).toMatchObject({
      ok: true,
      via: { host: IP2, port: 3479 },
    });
  });
});

describe('full cone (1:1 NAT)', () => {
  it('maps the inside host to the router address keeping its port, for every destination', async () => {
    const player = lab.player('full');
    const agent = await agentIn(player.ns);
    expect(player.ip).not.toBe(player.publicIp);
    for (const to of [A, `${IP2}:3478`, `${IP1}:3479`]) {
      expect(await agent.ask(to)).toMatchObject({
        ok: true,
        mapped: { host: player.publicIp, port: agent.port },
      });
    }
  });

  it('accepts a reply from an address and port the player never contacted', async () => {
    const agent = await agentIn(lab.player('full').ns);
    expect(await agent.ask(A, 'other-both')).toMatchObject({
      ok: true,
      via: { host: IP2, port: 3479 },
    });
  });

  it('delivers inbound UDP to the inside host even before it sent anything', async () => {
    const player = lab.player('full');
    const inside = await agentIn(player.ns);
    const outside = await agentIn(lab.layout.internetNs);
    await outside.send(`${player.publicIp}:${inside.port}`, 'knock');
    expect(await inside.receive()).toMatchObject({ ok: true, text: 'knock' });
  });
});

describe('port-restricted cone (masquerade)', () => {
  it('keeps the same mapped port for different destination addresses and ports', async () => {
    const player = lab.player('port');
    const agent = await agentIn(player.ns);
    const ports = [
      await mappedPort(agent, A),
      await mappedPort(agent, `${IP2}:3478`),
      await mappedPort(agent, `${IP1}:3479`),
    ];
    expect(new Set(ports).size).toBe(1);
    expect(await agent.ask(A)).toMatchObject({ ok: true, mapped: { host: player.publicIp } });
  });

  it('drops replies from another port or another address of the contacted server', async () => {
    const agent = await agentIn(lab.player('port').ns);
    expect(await agent.ask(A, 'other-port')).toEqual({ ok: false, error: 'timeout' });
    expect(await agent.ask(A, 'other-ip')).toEqual({ ok: false, error: 'timeout' });
    // The same socket still gets answers from the ip:port it did contact.
    expect(await agent.ask(A, 'same')).toMatchObject({ ok: true });
  });

  it('drops unsolicited inbound to the mapped port from an address never contacted', async () => {
    const player = lab.player('port');
    const inside = await agentIn(player.ns);
    const port = await mappedPort(inside, A);
    const outside = await agentIn(lab.layout.internetNs);
    await outside.send(`${player.publicIp}:${port}`, 'knock');
    expect(await inside.receive()).toEqual({ ok: false, error: 'timeout' });
  });
});

describe('symmetric (masquerade fully-random)', () => {
  it('gives a different mapped port for each destination address and port', async () => {
    const player = lab.player('sym');
    const agent = await agentIn(player.ns);
    const ports = [
      await mappedPort(agent, A),
      await mappedPort(agent, `${IP2}:3478`),
      await mappedPort(agent, `${IP1}:3479`),
    ];
    expect(new Set(ports).size).toBe(3);
    // …but a stable one for the same destination, or no reply could ever come back.
    expect(await mappedPort(agent, A)).toBe(ports[0]);
  });

  it('draws the ports of many sockets towards one destination at random, not as one block', async () => {
    // `masquerade random` would give these 8 sockets 8 consecutive ports (one hashed start,
    // then a search upwards): port probing would only have to find the block.
    const player = lab.player('sym');
    const sockets = await Promise.all(Array.from({ length: 8 }, () => agentIn(player.ns)));
    const ports = await Promise.all(sockets.map((socket) => mappedPort(socket, A)));
    expect(new Set(ports).size).toBe(8);
    expect(Math.max(...ports) - Math.min(...ports)).toBeGreaterThan(7);
  });

  it('drops replies from another port of the contacted server', async () => {
    const agent = await agentIn(lab.player('sym').ns);
    expect(await agent.ask(A, 'other-port')).toEqual({ ok: false, error: 'timeout' });
  });
});
