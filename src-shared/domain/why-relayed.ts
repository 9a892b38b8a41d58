import { chooseStrategy } from './connection-strategy.js';
import type {
  AttemptReason,
  PeerCoordination,
  PortMappingReport,
  PortProbeSummary,
} from './core-status.js';
import { MAPPING_WORDS } from './port-mapping.js';
import type { NatType } from './nat-type.js';

/**
 * "Why relayed?" in words a player understands: both sides' NAT types, what LANrage tried, and
 * what would make the pair direct. A pure function of the two NAT types (and whether the table
 * allowed a direct path), so every case is a row in why-relayed.test.ts.
 *
 * When the core reports what it tried (PeerStatus.coordination), the "tried" sentence follows the
 * hole punch's actual outcome; the NAT table only explains the attempts it ruled out.
 */
export interface RelayExplanation {
  /** One line: who is behind what. */
  summary: string;
  /** What LANrage tried, and why that cannot (or did not) open a direct path. */
  tried: string;
  /** What the players could change. */
  fix: string;
}

/** How each NAT type reads to a player: what it is, in one phrase. */
export const NAT_WORDS: Readonly<Record<NatType, string>> = {
  open: 'no NAT (an open connection)',
  full_cone: 'a full-cone NAT',
  restricted_cone: 'a restricted-cone NAT',
  port_restricted_cone: 'a port-restricted NAT',
  symmetric: 'a symmetric NAT',
  unknown: 'a network LANrage could not identify',
};

// Port mapping advice is true since LANrage maps its port by PCP, NAT-PMP and UPnP (src-main/core/portmap/).
const FIX_ROUTER =
  'a router with UPnP, NAT-PMP or PCP turned on (LANrage then maps its port there), a router whose NAT keeps one public port per device (most home routers do), or a different network (for example a phone hotspot), would help';

/** What happened to the hole punch, as the core reports it, when it was not ruled out by the table. */
const PUNCH_WORDS: Partial<Record<AttemptReason, string>> = {
  'no-answer':
    'LANrage tried hole punching at the moment the LANrage server named, but no direct packet got through, so your traffic goes through a relay. LANrage keeps trying.',
  'path-died':
    'A direct path worked, then stopped answering, so LANrage moved your traffic to a relay within seconds. It keeps trying the direct path.',
  'signal-failed':
    'The hole punch could not be timed: the LANrage server did not pass the signal on. LANrage uses a relay and tries again.',
};

export function explainRelay(input: {
  peerName: string;
  selfNat: NatType;
  peerNat: NatType;
  coordination?: PeerCoordination;
}): RelayExplanation {
  const explanation = explainByNat(input);
  const mapping = input.coordination?.portMapping;
  const probe = input.coordination?.portProbe;
  const tried = [
    explanation.tried,
    ...(probe ? [probeTried(probe)] : []),
    ...(mapping ? [mappingTried(mapping, input.peerName)] : []),
  ];
  return { ...explanation, tried: tried.join(' ') };
}

/** What port probing did for this pair (symmetric ↔ cone only), in one sentence. */
function probeTried(probe: PortProbeSummary): string {
  if (probe.outcome === 'trying') return 'Port probing is under way right now.';
  if (probe.outcome === 'succeeded') return 'Port probing opened a direct path earlier.';
  return `LANrage tried port probing (${probe.packets} packets); none got through${probe.nextTryAt === null ? '' : ', and it will try again'}.`;
}

/** What port mapping did for this pair, in one or two sentences. */
function mappingTried(mapping: PortMappingReport, peer: string): string {
  const asked = mapping.self.tried.map((t) => MAPPING_WORDS[t.protocol]);
  const ours = mapping.self.protocol
    ? `Your router mapped a port for LANrage (${MAPPING_WORDS[mapping.self.protocol]}), but no direct packet got through it yet.`
    : asked.length > 0
      ? `LANrage asked your router for a port mapping (${asked.join(', ')}); it offered none.`
      : 'LANrage has not asked your router for a port mapping (turned off, or still asking).';
  const theirs = mapping.peer
    ? `${capitalise(peer)}'s router mapped a port (${MAPPING_WORDS[mapping.peer]}).`
    : `${capitalise(peer)}'s router mapped none.`;
  return `${ours} ${theirs}`;
}

function explainByNat(input: {
  peerName: string;
  selfNat: NatType;
  peerNat: NatType;
  coordination?: PeerCoordination;
}): RelayExplanation {
  const { peerName: peer, coordination } = input;
  const mine = coordination?.selfNat ?? input.selfNat;
  const theirs = coordination?.peerNat ?? input.peerNat;
  const summary = `You are behind ${NAT_WORDS[mine]}; ${peer} is behind ${NAT_WORDS[theirs]}.`;
  const punch = coordination?.holePunch;
  if (punch?.outcome === 'trying') {
    return {
      summary,
      tried: 'LANrage is trying hole punching right now; the relay carries your traffic meanwhile.',
      fix: 'Nothing to do yet: if it works, the peer moves to a direct path by itself.',
    };
  }
  if (punch?.reason === 'endpoint-unconfirmed') {
    return {
      summary,
      tried: `LANrage did not try port probing: the public address ${peer} announced is not the address the LANrage server sees ${peer} connecting from. LANrage sends probes only to an address the server has confirmed, so that no member can aim them at someone else.`,
      fix: `If ${peer}'s connection to the LANrage server leaves by another way than its games (a VPN, a second internet line, or the server reached over IPv6), sending both the same way would let LANrage try.`,
    };
  }
  const punchWords = punch?.outcome === 'failed' ? PUNCH_WORDS[punch.reason] : undefined;
  if (punchWords !== undefined) {
    return {
      summary,
      tried: punchWords,
      fix: 'A firewall that blocks UDP on either side is the usual cause; allowing LANrage through it would help.',
    };
  }
  const tableSaysDirect =
    chooseStrategy({ natType: mine, publicIp: null }, { natType: theirs, publicIp: null })
      .strategy !== 'relay';
  if (tableSaysDirect) {
    return {
      summary,
      tried:
        'These two network types can normally be joined directly, and LANrage tried hole punching, but no direct packet got through yet, so your traffic goes through a relay meanwhile. LANrage keeps trying.',
      fix: 'A firewall that blocks UDP on either side is the usual cause; allowing LANrage through it would help.',
    };
  }
  if (mine === 'unknown' || theirs === 'unknown') {
    const who =
      mine === 'unknown' && theirs === 'unknown'
        ? 'either network'
        : mine === 'unknown'
          ? 'your network'
          : `${peer}'s network`;
    return {
      summary,
      tried: `LANrage could not test ${who} (the test server got no answer), so it did not risk a direct path and chose a relay.`,
      fix: 'Allowing UDP through the firewall on that side, then rejoining, would let LANrage test it.',
    };
  }
  if (mine === 'symmetric' && theirs === 'symmetric') {
    return {
      summary,
      tried:
        'A symmetric NAT picks a new port for every destination, so neither of you can know where to send the first packet: no direct path can be opened between two of them.',
      fix: `For either of you, ${FIX_ROUTER}.`,
    };
  }
  const symmetricSide = mine === 'symmetric' ? 'you' : peer;
  const otherSide = mine === 'symmetric' ? peer : 'you';
  const otherNat = mine === 'symmetric' ? theirs : mine;
  return {
    summary,
    tried: `${capitalise(symmetricSide)} ${symmetricSide === 'you' ? 'are' : 'is'} behind a symmetric NAT, which picks a new port for every destination; ${NAT_WORDS[otherNat].replace(/^a /, 'the ')} ${otherSide === 'you' ? 'you are' : `${otherSide} is`} behind only lets in packets from the exact address it already sent to. So hole punching alone cannot open a direct path from ${NAT_WORDS[otherNat].replace(/^a /, 'a ')}; only port probing (guessing which of many ports the symmetric NAT opened) or a port mapping can.`,
    fix: `For ${symmetricSide === 'you' ? 'you' : peer}, ${FIX_ROUTER}.`,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
