import type { Logger } from '../../../src-common/logging/logger.js';
import {
  checkAnnouncedIp,
  unconfirmedWords,
} from '../../../src-shared/domain/announced-endpoint.js';
import { formatEndpoint } from '../../../src-shared/domain/endpoint.js';
import type { ProbeSockets } from '../net/public-socket.js';
import { sleep, type Clock } from '../time/clock.js';
import type { LivePath, PeerLink } from './peer-link.js';
import type { ProbeEngine, ProbeVia } from './probe-engine.js';
import {
  ANSWER_SPACING_MS,
  MAX_PROBES,
  PORT_PROBE_WINDOW_MS,
  PROBE_SOCKETS,
  PROBE_START_DELAY_MS,
  PROBE_TICK_MS,
  PROBES_PER_TICK,
  randomProbePorts,
  type PortProbeRole,
} from './port-probing.js';

/**
 * One attempt of port probing towards one peer (the plan and its numbers: port-probing.ts). The
 * coordinator decides when and which role; this runs it: the opener's extra sockets and
 * low-TTL packets, or the prober's random ports; the answer on the socket that was hit; the proven
 * path handed to the peer's link; every socket but the winner closed again.
 */
export interface PortProberDeps {
  peerKey: string;
  probes: Pick<ProbeEngine, 'ping'>;
  sockets: ProbeSockets;
  link: Pick<PeerLink, 'useProven'>;
  clock: Clock;
  random: () => number;
  log: Logger;
}

export interface PortProbeOutcome {
  path: LivePath | null;
  /** This side's packets in the attempt: openers, probes and answers. */
  packets: number;
  /** Probe sockets this side opened (the opener; 0 for the prober). */
  sockets: number;
  /** From the signalled moment to the proving pong, ms; null when none came. */
  provenAfterMs: number | null;
  /** The probe socket that carries the path now (the opener's), else null. */
  socket: number | null;
}

interface Heard {
  host: string;
  port: number;
  socket: number | undefined;
}

export class PortProber {
  private heardFrom: Heard[] = [];
  private running = false;

  constructor(private readonly d: PortProberDeps) {}

  /**
   * The peer's ping reached us (on probe socket `socket` for the opener): that address and socket
   * are a hit, to ping back at once.
   */
  heard(from: { host: string; port: number; socket?: number }): void {
    if (!this.running) return;
    if (
      this.heardFrom.some(
        (h) => h.host === from.host && h.port === from.port && h.socket === from.socket,
      )
    )
      return;
    this.heardFrom.push({ host: from.host, port: from.port, socket: from.socket });
  }

  /**
   * `peer` is the peer's announced public endpoint and `seenIp` the address the control server
   * sees it at: an attempt towards an endpoint whose IP is not that one sends nothing at all (the
   * coordinator does not start one; this is the last word, at the sender). Either role sprays the
   * endpoint's IP, and a member may announce anybody's (announced-endpoint.ts).
   */
  async run(
    role: PortProbeRole,
    peer: { host: string; port: number; seenIp: string | null | undefined },
    startAt: number,
    openerTtl: number,
    signal: AbortSignal,
  ): Promise<PortProbeOutcome> {
    const check = checkAnnouncedIp(formatEndpoint(peer), peer.seenIp);
    if (!check.confirmed) {
      this.d.log.warn('port probing refused', { why: unconfirmedWords(check) });
      return { path: null, packets: 0, sockets: 0, provenAfterMs: null, socket: null };
    }
    this.heardFrom = [];
    this.running = true;
    try {
      return role === 'opener'
        ? await this.open(peer, startAt, openerTtl, signal)
        : await this.probe(peer, startAt, signal);
    } finally {
      this.running = false;
      this.heardFrom = [];
    }
  }

  private async open(
    peer: { host: string; port: number },
    startAt: number,
    openerTtl: number,
    signal: AbortSignal,
  ): Promise<PortProbeOutcome> {
    const out: PortProbeOutcome = {
      path: null,
      packets: 0,
      sockets: 0,
      provenAfterMs: null,
      socket: null,
    };
    let indices: number[];
    try {
      indices = await this.d.sockets.open(PROBE_SOCKETS);
    } catch (error) {
      this.d.log.warn('probe sockets could not be opened', { error: (error as Error).message });
      return out;
    }
    out.sockets = indices.length;
    const mine = new Set(indices);
    try {
      const { clock } = this.d;
      const wait = startAt - clock.now();
      if (wait > 0) await sleep(clock, wait, signal);
      const until = startAt + PORT_PROBE_WINDOW_MS;
      // One low-TTL packet per socket opens its mapping towards the cone side's one port and dies
      // before the cone's router (which might otherwise keep an entry for it and remap).
      for (const socket of indices) {
        if (signal.aborted) break;
        out.packets++;
        void this.d.probes.ping(
          this.d.peerKey,
          { kind: 'direct', host: peer.host, port: peer.port, socket },
          Math.max(1, until - clock.now()),
          openerTtl,
        );
      }
      await this.answerUntil(
        out,
        until,
        startAt,
        signal,
        (h) => h.socket !== undefined && mine.has(h.socket),
      );
      return out;
    } finally {
      // No late answer may pick a socket while the others close.
      this.running = false;
      const rest = indices.filter((i) => i !== out.socket);
      await this.d.sockets
        .close(rest)
        .catch((error: Error) =>
          this.d.log.warn('probe sockets could not be closed', { error: error.message }),
        );
    }
  }

  private async probe(
    peer: { host: string; port: number },
    startAt: number,
    signal: AbortSignal,
  ): Promise<PortProbeOutcome> {
    const out: PortProbeOutcome = {
      path: null,
      packets: 0,
      sockets: 0,
      provenAfterMs: null,
      socket: null,
    };
    const { clock } = this.d;
    const begin = startAt + PROBE_START_DELAY_MS;
    const wait = begin - clock.now();
    if (wait > 0) await sleep(clock, wait, signal);
    const until = startAt + PORT_PROBE_WINDOW_MS;
    const ports = randomProbePorts(MAX_PROBES, this.d.random);
    let next = 0;
    while (!signal.aborted && out.path === null && next < ports.length && clock.now() < until) {
      for (const port of ports.slice(next, next + PROBES_PER_TICK)) {
        this.pingFor(out, { kind: 'direct', host: peer.host, port }, until, startAt, signal);
      }
      next += PROBES_PER_TICK;
      this.answerHeard(out, until, startAt, signal, (h) => h.socket === undefined);
      await sleep(clock, PROBE_TICK_MS, signal);
    }
    await this.answerUntil(out, until, startAt, signal, (h) => h.socket === undefined);
    return out;
  }

  /** Pings every address that reached us (a hit) each ANSWER_SPACING_MS until one answers. */
  private async answerUntil(
    out: PortProbeOutcome,
    until: number,
    startAt: number,
    signal: AbortSignal,
    ours: (h: Heard) => boolean,
  ): Promise<void> {
    const { clock } = this.d;
    while (!signal.aborted && out.path === null && clock.now() < until) {
      this.answerHeard(out, until, startAt, signal, ours);
      await sleep(clock, Math.min(ANSWER_SPACING_MS, Math.max(1, until - clock.now())), signal);
    }
  }

  private answerHeard(
    out: PortProbeOutcome,
    until: number,
    startAt: number,
    signal: AbortSignal,
    ours: (h: Heard) => boolean,
  ): void {
    for (const h of this.heardFrom.filter(ours)) {
      const via: ProbeVia & { kind: 'direct' } = { kind: 'direct', host: h.host, port: h.port };
      if (h.socket !== undefined) via.socket = h.socket;
      this.pingFor(out, via, until, startAt, signal);
    }
  }

  private pingFor(
    out: PortProbeOutcome,
    via: ProbeVia & { kind: 'direct' },
    until: number,
    startAt: number,
    signal: AbortSignal,
  ): void {
    const { clock } = this.d;
    out.packets++;
    void this.d.probes.ping(this.d.peerKey, via, Math.max(1, until - clock.now())).then((rtt) => {
      if (rtt === null || out.path !== null || signal.aborted || !this.running) return;
      if (clock.now() > until) return;
      out.path = this.d.link.useProven('direct', via, rtt);
      out.provenAfterMs = clock.now() - startAt;
      out.socket = via.socket ?? null;
    });
  }
}
