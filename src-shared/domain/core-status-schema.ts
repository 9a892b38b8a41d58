import { z } from 'zod';
import type {
  CoreStatus,
  PartyStatus,
  PeerStatus,
  RelayStatus,
  SelfStatus,
} from './core-status.js';
import { NAT_TYPES } from './nat-type.js';

/**
 * Runtime schemas for the status model (core-status.ts). Every face that receives a status from
 * another process — `lanrage status`, the window, the web UI — parses it with these instead of
 * casting. Bounds are generous ceilings (a party has at most a few dozen members), there to
 * refuse garbage, not to police the core.
 */
const MAX_PEERS = 256;
const MAX_HISTORY = 600;
const MAX_TEXT = 512;
const Text = z.string().max(MAX_TEXT);
const Latency = z.number().finite().nonnegative().max(600_000);

export const NatTypeSchema = z.enum(NAT_TYPES);

const AttemptSchema = z.strictObject({
  outcome: z.enum(['not-tried', 'trying', 'succeeded', 'failed']),
  reason: z.enum([
    'ok',
    'different-networks',
    'nat-incompatible',
    'endpoint-unconfirmed',
    'no-answer',
    'path-died',
    'signal-failed',
    'no-relay',
    'no-route-token',
    'relay-unreachable',
  ]),
});

const PunchSummarySchema = z.strictObject({
  attempt: z.number().int().nonnegative(),
  role: z.enum(['leader', 'follower']),
  openerTtl: z.number().int().min(1).max(255),
  family: z.enum(['ipv4', 'ipv6']),
  nextTryAt: z.number().int().nonnegative().nullable(),
});

const MappingProtocolSchema = z.enum(['pcp', 'nat-pmp', 'upnp']);

const PortMappingReportSchema = z.strictObject({
  self: z.strictObject({
    protocol: MappingProtocolSchema.nullable(),
    tried: z
      .array(z.strictObject({ protocol: MappingProtocolSchema, error: Text.nullable() }))
      .max(3),
  }),
  peer: MappingProtocolSchema.nullable(),
  used: z
    .strictObject({ whose: z.enum(['self', 'peer']), protocol: MappingProtocolSchema })
    .nullable(),
});

const PortProbeSummarySchema = z.strictObject({
  attempt: z.number().int().nonnegative(),
  role: z.enum(['opener', 'prober']),
  outcome: z.enum(['trying', 'succeeded', 'failed']),
  sockets: z.number().int().nonnegative(),
  packets: z.number().int().nonnegative(),
  timeToDirectMs: z.number().nonnegative().nullable(),
  nextTryAt: z.number().int().nonnegative().nullable(),
});

export const PeerCoordinationSchema = z.strictObject({
  selfNat: NatTypeSchema,
  peerNat: NatTypeSchema,
  lan: AttemptSchema,
  holePunch: AttemptSchema,
  punch: PunchSummarySchema.nullable(),
  portProbe: PortProbeSummarySchema.nullable(),
  relay: AttemptSchema,
  portMapping: PortMappingReportSchema.optional(),
  openedBy: z.enum(['lan', 'hole-punch', 'port-mapping', 'port-probe', 'relay']).nullable(),
});

const Count = z.number().int().nonnegative();

export const PeerDiscoverySchema = z.strictObject({
  forwarded: Count,
  received: Count,
  droppedByLimit: Count,
});

export const PeerStatusSchema = z.strictObject({
  id: Text.min(1),
  name: Text,
  virtualIp: Text,
  strategy: z.enum(['direct', 'relay']),
  path: z.enum(['lan', 'direct', 'relay']).nullable(),
  endpoint: Text.nullable(),
  relay: z.strictObject({ id: Text.min(1), endpoint: Text }).nullable(),
  natType: NatTypeSchema,
  latencyMs: Latency.nullable(),
  latencyHistory: z.array(Latency.nullable()).max(MAX_HISTORY),
  state: z.enum(['connecting', 'connected', 'degraded', 'failed']),
  connectedSince: z.number().int().nonnegative().nullable(),
  online: z.boolean(),
  reason: Text,
  coordination: PeerCoordinationSchema,
  discovery: PeerDiscoverySchema.nullable().optional(),
});

export const SelfStatusSchema = z.strictObject({
  id: Text.min(1),
  name: Text,
  virtualIp: Text.nullable(),
  natType: NatTypeSchema,
  publicEndpoint: Text.nullable(),
  localCandidates: z.array(Text).max(64),
  portMapping: z
    .strictObject({ endpoint: Text, protocol: MappingProtocolSchema })
    .nullable()
    .optional(),
});

export const PartyStatusSchema = z.strictObject({
  id: Text.min(1),
  name: Text,
  inviteCode: Text,
});

export const RelayStatusSchema = z.strictObject({
  id: Text.min(1),
  endpoint: Text,
  region: Text,
  latencyMs: Latency.nullable(),
  inUse: z.boolean(),
  pinned: z.boolean(),
  source: z.enum(['control', 'config', 'default']),
});

export const CoreStatusSchema = z.strictObject({
  state: z.enum(['idle', 'starting', 'in-party', 'leaving', 'stopped']),
  control: z.enum(['connecting', 'connected', 'reconnecting', 'offline']),
  party: PartyStatusSchema.nullable(),
  self: SelfStatusSchema,
  peers: z.array(PeerStatusSchema).max(MAX_PEERS),
});

// The schemas and the interfaces must describe the same data: each line fails to compile when a
// field is added to one and not the other.
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
const sameShape: [
  Same<z.infer<typeof PeerStatusSchema>, PeerStatus>,
  Same<z.infer<typeof SelfStatusSchema>, SelfStatus>,
  Same<z.infer<typeof PartyStatusSchema>, PartyStatus>,
  Same<z.infer<typeof RelayStatusSchema>, RelayStatus>,
  Same<z.infer<typeof CoreStatusSchema>, CoreStatus>,
] = [true, true, true, true, true];
void sameShape;
