import { toHex } from '../../../src-shared/protocol/bytes.js';
import {
  RELAY_ROUTE_ID_OFFSET,
  relayRouteKeyOf,
} from '../../../src-shared/protocol/relay-frames.js';
import { ROUTE_ID_LENGTH } from '../../../src-shared/protocol/route-token.js';
import {
  buildRelayBind,
  RelayBindCounter,
  verifyRelayAnswer,
  type RelayAnswer,
  type RelayRoute,
} from './relay-frames-client.js';
import type { DatagramSource, PublicSocket } from '../net/public-socket.js';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';

/**
 * Keeps our side of relay routes bound: a BIND when a route is taken up, again every
 * REBIND_INTERVAL_MS (the relay follows a NAT rebinding only on a newer BIND, and the BIND doubles
 * as keepalive for our NAT's mapping towards the relay), and handles the relay's answers: a
 * BIND_ACK, a CHALLENGE (the relay checks we receive at our address before it binds us there;
 * we send the BIND again with its cookie) or a BIND_REFUSED (the relay is full: fail at once).
 */
/** 10 s: under the relay's idle expiry and under typical 30 s NAT UDP timeouts. */
export const REBIND_INTERVAL_MS = 10_000;
/** A BIND unanswered this long is sent again (UDP loses packets; relays restart). */
export const BIND_RETRY_MS = 250;
/** Bound, the peer not yet: ask again each second so its arrival shows in the ACK flag soon. */
export const PEER_WAIT_RETRY_MS = 1_000;

export interface RelayEndpoint {
  id: string;
  /** An IP address (resolve names before binding: ACKs are matched by source address). */
  host: string;
  port: number;
}

interface Binding {
  relay: RelayEndpoint;
  route: RelayRoute;
  acked: boolean;
  peerBound: boolean;
  lastAckAt: number;
  /** The relay's return-routability cookie for our current address (null until challenged). */
  cookie: Buffer | null;
  /** Why the relay refused us, if it did: the bind has failed; choose another relay. */
  refused: (RelayAnswer & { kind: 'refused' })['reason'] | null;
  waiters: ((ok: boolean) => void)[];
  timer: TimerHandle | null;
}

export interface RelayBinderOptions {
  /** BINDs leave from the public socket: the relay learns our NAT mapping from them. */
  socket: Pick<PublicSocket, 'send'>;
  clock?: Clock;
  /** The control server's clock (ControlClient.serverNow): BIND counters are its timestamps. */
  serverNow?: () => number;
}

export class RelayBinder {
  private readonly bindings = new Map<string, Binding>();
  private readonly counter: RelayBindCounter;
  private readonly clock: Clock;

  constructor(private readonly options: RelayBinderOptions) {
    this.clock = options.clock ?? systemClock;
    this.counter = new RelayBindCounter(options.serverNow ?? (() => this.clock.now()));
  }

  /**
   * Binds `route` at `relay` (replacing a binding of the same route elsewhere) and resolves true
   * at the first valid BIND_ACK, false after `timeoutMs`. The binding is kept up until `unbind`.
   */
  bind(relay: RelayEndpoint, route: RelayRoute, timeoutMs: number): Promise<boolean> {
    const key = toHex(route.routeId);
    this.unbind(key);
    const binding: Binding = {
      relay,
      route,
      acked: false,
      peerBound: false,
      lastAckAt: 0,
      cookie: null,
      refused: null,
      waiters: [],
      timer: null,
    };
    this.bindings.set(key, binding);
    const result = new Promise<boolean>((resolve) => {
      binding.waiters.push(resolve);
      this.clock.setTimeout(() => {
        const i = binding.waiters.indexOf(resolve);
        if (i >= 0) {
          binding.waiters.splice(i, 1);
          resolve(false);
        }
      }, timeoutMs);
    });
    this.sendBind(binding);
    return result;
  }

  /** Swaps in a fresh grant for the same route (tokens expire); the next BIND carries it. */
  refresh(route: RelayRoute): void {
    const binding = this.bindings.get(toHex(route.routeId));
    if (binding) binding.route = route;
  }

  isPeerBound(routeHex: string): boolean {
    return this.bindings.get(routeHex)?.peerBound ?? false;
  }

  /** Why the relay refused this route (full, party or member share), or null. */
  refusalOf(routeHex: string): string | null {
    return this.bindings.get(routeHex)?.refused ?? null;
  }

  relayOf(routeHex: string): RelayEndpoint | null {
    return this.bindings.get(routeHex)?.relay ?? null;
  }

  /** Feeds a relay control frame from the mux. */
  handle(packet: Uint8Array, from: DatagramSource): void {
    if (packet.length < RELAY_ROUTE_ID_OFFSET + ROUTE_ID_LENGTH) return;
    const binding = this.bindings.get(relayRouteKeyOf(packet));
    if (!binding || binding.relay.port !== from.port || binding.relay.host !== from.address) return;
    const answer = verifyRelayAnswer(binding.route, packet);
    if (!answer.ok) return;
    switch (answer.value.kind) {
      case 'challenge':
        // Prove we receive here: the same BIND again, with the cookie, at once.
        binding.cookie = answer.value.cookie;
        if (binding.timer) this.clock.clearTimeout(binding.timer);
        this.sendBind(binding);
        return;
      case 'refused':
        // A full relay (or our party's or our share of it used up): fail now, not at the timeout,
        // so the caller moves on to the next relay. Keep re-binding slowly in case it frees up.
        binding.refused = answer.value.reason;
        for (const w of binding.waiters.splice(0)) w(false);
        return;
      case 'ack':
        binding.acked = true;
        binding.refused = null;
        binding.peerBound = answer.value.peerBound;
        binding.lastAckAt = this.clock.now();
        for (const w of binding.waiters.splice(0)) w(true);
    }
  }

  unbind(routeHex: string): void {
    const binding = this.bindings.get(routeHex);
    if (!binding) return;
    if (binding.timer) this.clock.clearTimeout(binding.timer);
    for (const w of binding.waiters.splice(0)) w(false);
    this.bindings.delete(routeHex);
  }

  close(): void {
    for (const key of [...this.bindings.keys()]) this.unbind(key);
  }

  private sendBind(binding: Binding): void {
    if (this.bindings.get(toHex(binding.route.routeId)) !== binding) return;
    const frame = buildRelayBind(binding.route, this.counter.next(), binding.cookie);
    this.options.socket.send(frame, binding.relay.port, binding.relay.host);
    // Until the relay answers, retry quickly; then keep the binding fresh at the slow pace.
    // Retrying also while the peer is not bound yet tells us (via the ACK flag) when it arrives.
    const delay = binding.refused
      ? REBIND_INTERVAL_MS
      : !binding.acked
        ? BIND_RETRY_MS
        : !binding.peerBound
          ? PEER_WAIT_RETRY_MS
          : REBIND_INTERVAL_MS;
    binding.timer = this.clock.setTimeout(() => this.sendBind(binding), delay);
  }
}
