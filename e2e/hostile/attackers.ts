import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ControlClient } from '../../src-main/core/control/control-client.js';
import { relayRouteFromGrant } from '../../src-main/core/relay/relay-frames-client.js';
import { bindAtRelay, openClient } from '../../src-server/relay/relay-test-kit.js';
import { solveJoinProof } from '../../src-common/crypto/join-proof.js';
import type { ParamsOf } from '../../src-shared/protocol/control-messages.js';
import { MEMBER, pinnedClient } from './hostile-kit.js';

type JoinProofArg = NonNullable<ParamsOf<'party.join'>['proof']>;

/**
 * Attack loops against the control server's TCP port. Every loop is bounded by a deadline and a
 * total number of attempts, closes all it opened when it ends, and reports what it achieved.
 */

export interface HoldFigures {
  attempts: number;
  /** Connections that got as far as the attack needed (TCP accepted, or TLS handshake done). */
  established: number;
  /** Closed by the server before the attack ended. */
  cutByServer: number;
  /** Longest time the server let one attacker connection live, ms. */
  longestHeldMs: number;
  /** Attacker connections still open when the attack ended. */
  openAtEnd: number;
}

export interface HoldOptions {
  port: number;
  sources: string[];
  /** How many connections each source tries to keep open at once. */
  perSource: number;
  durationMs: number;
  /** Upper bound on connection attempts, whatever happens. */
  maxAttempts: number;
  /**
   * 'tcp': connect and send nothing; 'tls': finish the handshake, send nothing;
   * 'slow-headers': TLS, then a request line and one header line every `dripMs`, never the end.
   */
  mode: 'tcp' | 'tls' | 'slow-headers';
  /** The request line for slow-headers (e.g. a WebSocket upgrade). */
  requestHead?: string;
  dripMs?: number;
}

export async function holdConnections(o: HoldOptions): Promise<HoldFigures> {
  const figures: HoldFigures = {
    attempts: 0,
    established: 0,
    cutByServer: 0,
    longestHeldMs: 0,
    openAtEnd: 0,
  };
  /** Open attacker sockets and when each was opened. */
  const open = new Map<Socket, number>();
  const deadline = Date.now() + o.durationMs;
  let ending = false;
  const perSourceOpen = new Map<string, number>(o.sources.map((s) => [s, 0]));

  const openOne = (source: string): void => {
    figures.attempts++;
    perSourceOpen.set(source, perSourceOpen.get(source)! + 1);
    const started = Date.now();
    let establishedAt = 0;
    let drip: NodeJS.Timeout | null = null;
    const socket: Socket =
      o.mode === 'tcp'
        ? tcpConnect({ host: '127.0.0.1', port: o.port, localAddress: source })
        : tlsConnect({
            socket: tcpConnect({ host: '127.0.0.1', port: o.port, localAddress: source }),
            rejectUnauthorized: false,
          });
    open.set(socket, started);
    socket.on('error', () => {});
    const established = () => {
      establishedAt = Date.now();
      figures.established++;
      if (o.mode === 'slow-headers') {
        socket.write(o.requestHead ?? 'GET /health HTTP/1.1\r\nHost: lanrage\r\n');
        let n = 0;
        drip = setInterval(() => socket.write(`X-Drip-${n++}: ${'a'.repeat(8)}\r\n`), o.dripMs);
      }
    };
    socket.once(o.mode === 'tcp' ? 'connect' : 'secureConnect', established);
    socket.once('close', () => {
      if (drip) clearInterval(drip);
      open.delete(socket);
      perSourceOpen.set(source, perSourceOpen.get(source)! - 1);
      if (!ending) {
        if (establishedAt) figures.cutByServer++;
        figures.longestHeldMs = Math.max(figures.longestHeldMs, Date.now() - started);
      }
    });
  };

  while (Date.now() < deadline && figures.attempts < o.maxAttempts) {
    for (const source of o.sources) {
      // Top each source up to its target; a few at a time so the loop stays responsive.
      for (let i = 0; i < 20 && perSourceOpen.get(source)! < o.perSource; i++) {
        if (figures.attempts >= o.maxAttempts) break;
        openOne(source);
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  // Out of attempts before the deadline: keep holding what is open until then, as a real
  // slowloris would; the server's deadline, not our budget, must be what ends them.
  const left = deadline - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  ending = true;
  figures.openAtEnd = open.size;
  const now = Date.now();
  for (const [socket, started] of open) {
    figures.longestHeldMs = Math.max(figures.longestHeldMs, now - started);
    socket.destroy();
  }
  return figures;
}

/** The attacker runs at nice 19 on a loaded machine: give its own requests time to complete. */
const ATTACKER_TIMEOUT_MS = 10_000;

export interface ControlTarget {
  wsUrl: string;
  fingerprint: string;
}

/**
 * Create/leave churn: from each source, as many sessions (each a fresh key) as the server lets in,
 * each creating and leaving parties as fast as it is answered, until the deadline.
 */
export async function churn(o: {
  control: ControlTarget;
  sources: string[];
  sessionsPerSource: number;
  durationMs: number;
}) {
  const clients: ControlClient[] = [];
  const counts = { sessions: 0, refusedSessions: 0, created: 0, left: 0, refused: 0 };
  await Promise.all(
    o.sources.flatMap((source) =>
      Array.from({ length: o.sessionsPerSource }, async () => {
        const c = pinnedClient(o.control, source, ATTACKER_TIMEOUT_MS);
        clients.push(c);
        try {
          await c.connect();
          counts.sessions++;
        } catch {
          counts.refusedSessions++;
        }
      }),
    ),
  );
  const deadline = Date.now() + o.durationMs;
  await Promise.all(
    clients
      .filter((c) => c.state === 'ready')
      .map(async (c) => {
        for (let i = 0; i < 500 && Date.now() < deadline; i++) {
          try {
            const { party } = await c.request('party.create', {
              partyName: 'churn',
              memberName: 'x',
              member: MEMBER,
            });
            counts.created++;
            await c.request('party.leave', { partyId: party.id });
            counts.left++;
          } catch {
            counts.refused++;
          }
        }
      }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return counts;
}

/**
 * Invite guessing, as a determined attacker would: each source cycles fresh keys, each guessing
 * until it is limited; when the server asks for a join proof, it solves one (with the same
 * solver the app uses) and guesses on, until the deadline.
 */
export async function guess(o: { control: ControlTarget; sources: string[]; durationMs: number }) {
  const counts = {
    checked: 0,
    /** Wrong codes the server checked without a proof. */
    checkedFree: 0,
    /** Wrong codes the server checked with a proof attached. */
    checkedProven: 0,
    proofsSolved: 0,
    rateLimited: 0,
    otherErrors: 0,
    logins: 0,
    loginsRefused: 0,
  };
  const deadline = Date.now() + o.durationMs;
  const cpuBefore = process.cpuUsage();
  let solving = Promise.resolve();
  const request = async (c: ControlClient, code: string, proof?: JoinProofArg) => {
    try {
      await c.request('party.join', {
        inviteCode: code,
        memberName: 'guess',
        member: MEMBER,
        ...(proof && { proof }),
      });
      return 'joined';
    } catch (error) {
      return (
        (error as { failure?: string }).failure ?? (error as { code?: string }).code ?? 'error'
      );
    }
  };
  await Promise.all(
    o.sources.map(async (source, s) => {
      for (let k = 0; k < 200 && Date.now() < deadline; k++) {
        const c = pinnedClient(o.control, source, ATTACKER_TIMEOUT_MS);
        try {
          await c.connect();
          counts.logins++;
        } catch {
          counts.loginsRefused++;
          await c.close();
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        for (let i = 0; i < 50 && Date.now() < deadline; i++) {
          // Well-formed codes (10 symbols of the alphabet), none of them live.
          const code = `${'ABCDEFGHJK'[s % 10]}${String(k).padStart(4, '2')}${String(i).padStart(5, '3')}`;
          let answer = await request(c, code);
          let proven = false;
          if (answer === 'proof_required') {
            try {
              const { seed, bits } = await c.request('join.challenge');
              const canonical = `${code.slice(0, 5)}-${code.slice(5)}`;
              // One proof at a time: twenty interleaved solvers would all finish late together.
              const solved = solving.then(() =>
                solveJoinProof(Buffer.from(seed, 'base64'), canonical, bits, {
                  signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
                }),
              );
              solving = solved.then(
                () => {},
                () => {},
              );
              const nonce = await solved;
              counts.proofsSolved++;
              proven = true;
              answer = await request(c, code, { seed, bits, nonce: nonce.toString('base64') });
            } catch {
              answer = 'deadline';
            }
          }
          if (answer === 'bad_invite') {
            counts.checked++;
            if (proven) counts.checkedProven++;
            else counts.checkedFree++;
            continue;
          }
          if (answer === 'rate_limited') counts.rateLimited++;
          else if (answer !== 'deadline') counts.otherErrors++;
          break;
        }
        await c.close();
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ...counts,
    checkedPerMinute: Math.round((counts.checked * 60_000) / o.durationMs),
    attackerCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

/**
 * Route-table exhaustion: from each source, as many member keys as the control server lets in,
 * all in one party per source; every key asks for a grant for every peer and binds it at the
 * relay (answering CHALLENGEs, as a real client), until the deadline.
 */
export async function routes(o: {
  control: ControlTarget;
  relay: { host: string; port: number };
  sources: string[];
  keysPerSource: number;
  durationMs: number;
}) {
  const counts = { keys: 0, grants: 0, grantsRefused: 0, binds: 0, acked: 0, refused: 0 };
  const refusals: Record<string, number> = {};
  // The deadline starts once the keys are in (bounded by keysPerSource): the attack is the
  // grants and BINDs, not the attacker's own logins at nice 19.
  let deadline = Infinity;
  const sockets: { close(): Promise<void> }[] = [];
  const clients: ControlClient[] = [];
  await Promise.all(
    o.sources.map(async (source) => {
      const members: ControlClient[] = [];
      let partyId = '';
      let invite = '';
      for (let k = 0; k < o.keysPerSource; k++) {
        const c = pinnedClient(o.control, source, ATTACKER_TIMEOUT_MS);
        clients.push(c);
        try {
          await c.connect();
          if (k === 0) {
            const { party } = await c.request('party.create', {
              partyName: 'fill',
              memberName: 'f',
              member: MEMBER,
            });
            partyId = party.id;
            invite = party.inviteCode;
          } else {
            await c.request('party.join', { inviteCode: invite, memberName: 'f', member: MEMBER });
          }
          members.push(c);
          counts.keys++;
        } catch {
          // Refused (connection cap, quota): the attacker carries on with what it has.
        }
      }
      const udp = await openClient(source);
      sockets.push(udp);
      if (deadline === Infinity) deadline = Date.now() + o.durationMs;
      for (const member of members) {
        for (const peer of members) {
          if (peer === member || Date.now() >= deadline) continue;
          let route;
          try {
            const grant = await member.request('route.token', { partyId, peer: peer.publicKey });
            const parsed = relayRouteFromGrant(grant);
            if (!parsed.ok) continue;
            route = parsed.value;
            counts.grants++;
          } catch {
            counts.grantsRefused++;
            continue;
          }
          counts.binds++;
          try {
            await bindAtRelay(udp, o.relay.port, route);
            counts.acked++;
          } catch (error) {
            const why = (error as Error).message;
            counts.refused++;
            refusals[why] = (refusals[why] ?? 0) + 1;
          }
        }
      }
    }),
  );
  await Promise.all([...clients.map((c) => c.close()), ...sockets.map((s) => s.close())]);
  return { ...counts, refusals };
}
