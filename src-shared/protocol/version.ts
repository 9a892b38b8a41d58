/**
 * Version of every LANrage wire format (control messages, relay frames, probes).
 * Bumped on any incompatible change; peers refuse what they cannot read instead of guessing.
 */
export const PROTOCOL_VERSION = 1;
