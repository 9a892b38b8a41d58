import { z } from 'zod';
import {
  discoveryGroupProblem,
  MAX_DISCOVERY_GROUPS,
} from '../../../src-shared/domain/discovery-groups.js';

/**
 * The game-discovery part of the helper protocol (helper/PROTOCOL.md, "Game discovery"): the
 * `set-discovery` op and the `discovery` object of `stats`. Kept beside the op map's other ops
 * (helper-protocol.ts imports these) so discovery's wire shapes have one home.
 */
const Counter = z.number().int().min(0);

export const SetDiscoveryArgsSchema = z.strictObject({
  enabled: z.boolean(),
  multicastGroups: z
    .array(
      z.string().superRefine((group, ctx) => {
        const problem = discoveryGroupProblem(group);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(MAX_DISCOVERY_GROUPS),
});

export const SetDiscoveryResultSchema = z.object({
  /** Whether the OS copies home-network broadcasts and game groups into the interface. */
  homeCopies: z.boolean(),
  /** Why not, when homeCopies is false ("" otherwise). */
  reason: z.string().max(2_000),
});

export const DiscoveryPeerStatsSchema = z.object({
  peer: z.string(),
  forwarded: Counter,
  forwardedBytes: Counter,
  received: Counter,
  receivedBytes: Counter,
  limitedOut: Counter,
  limitedIn: Counter,
});

export const DiscoveryStatsSchema = z.object({
  enabled: z.boolean(),
  forwarded: Counter,
  sourceRewritten: Counter,
  droppedForeignSource: Counter,
  droppedOversize: Counter,
  droppedMalformed: Counter,
  droppedDisabled: Counter,
  droppedUnknownPeer: Counter,
  injectDropped: Counter,
  peers: z.array(DiscoveryPeerStatsSchema).max(1_024),
});
export type DiscoveryStats = z.infer<typeof DiscoveryStatsSchema>;
