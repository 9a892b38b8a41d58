import {
  RELAY_SIGNATURE_HEADER,
  RelayRegistrationSchema,
  describeZodError,
  type RelayRegistration,
} from '../../src-shared/protocol/control-messages.js';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/version.js';
import { signRelayRegistration } from '../common/relay-registration-signature.js';
import { postHeartbeat } from './heartbeat-post.js';
import type { Logger } from '../common/logger.js';

/**
 * Registers the relay with the control server and keeps it registered: POST
 * `${control}/v1/relays/heartbeat`, body RelayRegistrationSchema JSON, header
 * x-lanrage-signature = HMAC(shared secret, those exact bytes). The same request is both the first
 * registration and every heartbeat, so a restarted control server relearns the relay on its own.
 *
 * The control server being down never touches forwarding: this loop only reads the route count.
 * It backs off while the server is down and logs once per outage, not once per attempt.
 */

/** Why 10 s: the control server marks a relay unhealthy after missing a few heartbeats, so a
 * dead relay leaves clients' relay lists within ~30 s; one small POST per 10 s costs nothing. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Why 60 s: while the control server is down, retries double from the heartbeat interval up to
 * this, so a fleet of relays does not hammer it as it comes back, yet re-registers within a minute. */
export const MAX_BACKOFF_MS = 60_000;
/** Why 5 s: a healthy control server answers in milliseconds; a hung one must not stall the loop. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Why ±20 %: spreads the retries of relays that lost the control server at the same moment. */
const BACKOFF_JITTER = 0.2;

export interface RegistrarOptions {
  /** Base URL of the control server, e.g. https://control.example:7400 */
  controlUrl: string;
  /** The control server's TLS certificate fingerprint, for a self-signed one (null: CA checks). */
  controlFingerprint?: string | null;
  secret: Uint8Array;
  id: string;
  region: string;
  /** host:port clients should send to (not necessarily the bind address). */
  endpoint: string;
  /** 0 (idle) … 1 (full); clamped. */
  load: () => number;
  now?: () => number;
  random?: () => number;
  intervalMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
}

export interface RegistrarStatus {
  registered: boolean;
  consecutiveFailures: number;
  /** Unix ms of the last accepted heartbeat; 0 if none yet. */
  lastSuccessAt: number;
}

export interface RegistrarHandle {
  status(): RegistrarStatus;
  stop(): Promise<void>;
}

/** Delay before the next heartbeat: the interval when healthy; doubling from it while failing,
 * capped, with jitter (`random` in [0, 1), 0.5 meaning none). */
export function heartbeatDelay(
  consecutiveFailures: number,
  intervalMs: number,
  maxBackoffMs: number,
  random: number,
): number {
  if (consecutiveFailures === 0) return intervalMs;
  const base = Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(30, consecutiveFailures - 1));
  return Math.round(base * (1 + BACKOFF_JITTER * (2 * random - 1)));
}

export function heartbeatUrl(controlUrl: string): string {
  return new URL('/v1/relays/heartbeat', controlUrl).toString();
}

/** Checks the options once, up front, so a bad --id or --public-endpoint fails at start-up. */
export function validateRegistration(options: RegistrarOptions): string | null {
  try {
    const url = new URL(options.controlUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return '--control must be an http(s) URL';
  } catch {
    return `--control ${options.controlUrl} is not a URL`;
  }
  const probe = RelayRegistrationSchema.safeParse(body(options, 0, Date.now()));
  return probe.success ? null : describeZodError(probe.error);
}

function body(options: RegistrarOptions, load: number, sentAt: number): RelayRegistration {
  return {
    v: PROTOCOL_VERSION,
    id: options.id,
    region: options.region,
    endpoint: options.endpoint,
    load: Math.min(1, Math.max(0, Number.isFinite(load) ? load : 1)),
    sentAt,
  };
}

export function startRegistrar(options: RegistrarOptions): RegistrarHandle {
  const problem = validateRegistration(options);
  if (problem) throw new Error(`relay registration: ${problem}`);
  const log = options.logger?.child({ area: 'registrar' });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const url = heartbeatUrl(options.controlUrl);
  const status: RegistrarStatus = { registered: false, consecutiveFailures: 0, lastSuccessAt: 0 };
  let outageStartedAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: AbortController | null = null;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;

  async function beat(): Promise<void> {
    const text = JSON.stringify(body(options, options.load(), now()));
    inFlight = new AbortController();
    const abortTimer = setTimeout(() => inFlight?.abort(), timeoutMs);
    try {
      const res = await postHeartbeat(
        url,
        {
          'content-type': 'application/json',
          [RELAY_SIGNATURE_HEADER]: signRelayRegistration(options.secret, text),
        },
        text,
        { pin: options.controlFingerprint ?? null, signal: inFlight.signal },
      );
      if (res.status < 200 || res.status > 299) {
        throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      }
      succeeded();
    } catch (error) {
      if (!stopped) failed(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(abortTimer);
      inFlight = null;
    }
  }

  function succeeded(): void {
    if (!status.registered) {
      log?.info('registered with the control server', { url, id: options.id });
    } else if (status.consecutiveFailures > 0) {
      log?.info('control server reachable again', {
        url,
        failedAttempts: status.consecutiveFailures,
        outageMs: now() - outageStartedAt,
      });
    }
    status.registered = true;
    status.consecutiveFailures = 0;
    status.lastSuccessAt = now();
  }

  function failed(reason: string): void {
    status.consecutiveFailures++;
    if (status.consecutiveFailures === 1) {
      outageStartedAt = now();
      log?.warn('control server heartbeat failed; forwarding continues, retrying with backoff', {
        url,
        error: reason,
      });
    } else {
      log?.debug('control server heartbeat failed again', { url, error: reason });
    }
  }

  const nextDelay = () =>
    heartbeatDelay(status.consecutiveFailures, intervalMs, maxBackoffMs, random());

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      current = beat().then(() => schedule(nextDelay()));
    }, delayMs);
  }

  schedule(0);

  return {
    status: () => ({ ...status }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      inFlight?.abort();
      await current;
    },
  };
}
