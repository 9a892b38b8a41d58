import { z } from 'zod';
import { FINGERPRINT_PATTERN } from '../../../src-common/tls/certificate-fingerprint.js';
import { ServerEndpointSchema } from '../../../src-shared/protocol/control-messages.js';
import {
  DEFAULT_DISCOVERY_GROUPS,
  discoveryGroupProblem,
  MAX_DISCOVERY_GROUPS,
} from '../../../src-shared/domain/discovery-groups.js';

/**
 * Everything the connection core can be told, with the why of each default. A config file holds
 * any subset; what it leaves out takes these defaults.
 */
export const ConfigSchema = z.strictObject({
  /** Control server base URL (http/https; the WebSocket lives under it at /v1/ws). */
  controlUrl: z
    .string()
    .url('must be a URL such as http://control.example:7400')
    .refine(
      (u) => /^(https?|wss?):\/\//.test(u),
      'must start with http://, https://, ws:// or wss://',
    )
    .default('https://127.0.0.1:7400'),
  /**
   * SHA-256 fingerprint (base64url) of the control server's TLS certificate, as lanrage-control
   * prints it and invite links carry it; null trusts a CA-signed certificate, or a self-signed
   * one on first use (remembered in known-control-servers.json).
   */
  controlFingerprint: z
    .string()
    .regex(FINGERPRINT_PATTERN, 'must be the 43-character fingerprint lanrage-control prints')
    .nullable()
    .default(null),
  /** Plain ws:// to a non-loopback control server: only for a link that is private anyway. */
  allowInsecureControl: z.boolean().default(false),
  /** Name shown to the other members. */
  name: z.string().trim().min(1).max(40).default('player'),
  /** WireGuard interface name; ≤ 15 characters (Linux IFNAMSIZ - 1). */
  interfaceName: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,15}$/, 'must be 1-15 letters, digits, "_" or "-"')
    .default('lanrage0'),
  /** The one public UDP socket's port; 0 lets the OS pick (any port works with hole punching). */
  listenPort: z.number().int().min(0).max(65535).default(0),
  /** STUN servers used when the control server advertises none. */
  stunServers: z.array(ServerEndpointSchema).max(8).default([]),
  /** Relays to consider after the control server's list, in order. */
  relays: z
    .array(z.strictObject({ id: z.string().min(1).max(64), endpoint: ServerEndpointSchema }))
    .max(16)
    .default([]),
  /** Last resort when neither the control server nor the config names a relay. */
  defaultRelay: ServerEndpointSchema.default('relay.lanrage.io:7401'),
  /** A relay the user chose by hand; kept until they clear it (null = choose by latency). */
  pinnedRelay: z.string().min(1).max(64).nullable().default(null),
  /** Full health check per peer: the seed's 30 s balances noticing slow drift against chatter. */
  monitorIntervalMs: z.number().int().min(1000).max(600_000).default(30_000),
  /** Probe period on every live path: a dead path is noticed within deadPathAfterMs, not at the next monitor tick. */
  probeIntervalMs: z.number().int().min(100).max(60_000).default(1_000),
  /** No probe answer for this long ⇒ the path is dead (3 missed probes at the default rate). */
  deadPathAfterMs: z.number().int().min(500).max(120_000).default(3_500),
  /** Reconnect attempts before a peer is failed (seed: 3). */
  reconnectAttempts: z.number().int().min(0).max(20).default(3),
  /** Latency above this is "degraded" (seed: 200 ms — where fast games start to feel it). */
  degradedThresholdMs: z.number().int().min(10).max(5_000).default(200),
  /** A failed peer is cleaned up after this long (seed: 5 minutes) unless it comes back. */
  failedCleanupMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  /** WireGuard persistent keepalive: 25 s keeps typical NAT UDP mappings (≥ 30 s) open. */
  keepaliveSeconds: z.number().int().min(0).max(600).default(25),
  /**
   * Carry LAN games' discovery broadcasts and multicasts to the party, and theirs to us
   * (docs/game-discovery.md). On by default: it is what "if it runs on LAN" promises.
   */
  discovery: z.boolean().default(true),
  /**
   * Ask the router to map LANrage's UDP port (PCP, NAT-PMP): a mapped port makes a direct path
   * possible behind any NAT. On by default; off sends nothing to the router.
   */
  portMapping: z.boolean().default(true),
  /**
   * Port probing (issue 10): a symmetric ↔ cone pair the NAT table would relay tries a direct
   * path by birthday probing (256 extra sockets on the symmetric side, up to 1,280 probes from the
   * cone side per attempt). On by default; off keeps such pairs on the relay and sends nothing.
   */
  portProbing: z.boolean().default(true),
  /** Multicast groups games announce on, copied into the party (default: Minecraft's). */
  discoveryMulticastGroups: z
    .array(
      z.string().superRefine((group, ctx) => {
        const problem = discoveryGroupProblem(group);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(MAX_DISCOVERY_GROUPS)
    .refine((groups) => new Set(groups).size === groups.length, 'lists a group twice')
    .default([...DEFAULT_DISCOVERY_GROUPS]),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** The WireGuard helper binary; null: $LANRAGE_HELPER, else the one `npm run build` made. */
  helperPath: z.string().min(1).max(4096).nullable().default(null),
  /**
   * Command words that start the helper privileged while the core is not, e.g. ["sudo", "-n"] or
   * ["pkexec"]; empty: start it directly (the core runs as root). Only the helper gets privilege.
   */
  helperElevation: z
    .array(z.string().min(1).max(256).regex(/^\S+$/, 'one word per entry, no spaces'))
    .max(8)
    .default([]),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
