import { run } from './exec.js';

/**
 * NAT routers of the four kinds the connection core must handle, as nftables rulesets inside the
 * router's namespace. In RFC 4787 terms:
 *
 *   kind             mapping                    filtering (inbound to the mapped port)
 *   open             none: the player's address is public and simply routed
 *   full_cone        1:1 — inside host ⇄ public IP, ports kept; every inbound UDP goes to it
 *   port_restricted  endpoint-independent       address-and-port-dependent   (masquerade)
 *   symmetric        address-and-port-dependent address-and-port-dependent   (masquerade fully-random)
 *
 * The NAT kinds also get a home-router firewall: inbound from the WAN is forwarded only for
 * connections the inside started (or, for full cone, that the 1:1 rule translated), so nothing
 * can reach the LAN by routing to its private addresses directly.
 *
 * Routers differ in what they do with unsolicited WAN packets addressed to themselves:
 *   firewalled   drop them (a WAN input drop rule), as most home routers do
 *   answers-wan  accept them (no input rule), as some ISP routers and CGNAT boxes do: the packet
 *                is delivered to the router itself, and the conntrack entry it leaves makes the
 *                router remap the player's own later packet to that sender (a new public port),
 *                which is what breaks naive simultaneous hole punching.
 */
export const ROUTER_INPUT_POLICIES = ['firewalled', 'answers-wan'] as const;
export type RouterInputPolicy = (typeof ROUTER_INPUT_POLICIES)[number];
export const NAT_KINDS = ['open', 'full_cone', 'port_restricted', 'symmetric'] as const;
export type LabNatKind = (typeof NAT_KINDS)[number];

export interface RouterAddressing {
  /** Interface towards the internet namespace. */
  wanIf: string;
  /** Interface towards the player. */
  lanIf: string;
  /** The router's address on the internet: what peers see for a NATed player. */
  publicIp: string;
  /** The one player behind it (full cone maps everything to this host). */
  insideHost: string;
}

const TABLE = 'lanrage_lab';

/**
 * Symmetric mapping: plain `masquerade` keeps the source port whenever the tuple is free, which
 * makes the mapping endpoint-independent. `random` (NF_NAT_RANGE_PROTO_RANDOM) seeds the port
 * search with a keyed hash of (source IP, destination IP, destination port) — not the source port
 * — and then searches upwards: many sockets of one player towards one peer get one block of
 * consecutive ports, which would make port probing (issue 10) trivially easy and prove nothing.
 * `fully-random` (NF_NAT_RANGE_PROTO_RANDOM_FULLY) draws every new mapping's port from the PRNG,
 * as hard CGNATs and the NATs of the birthday write-ups do; the lab test checks a different port
 * per destination (IP and port) and no run of consecutive ports across a player's sockets.
 */
const SYMMETRIC_MASQUERADE = 'masquerade fully-random';

/** `acceptsMapped`: the router maps ports (miniupnpd.ts): WAN packets it DNATs are let in. */
export interface NatOptions {
  acceptsMapped?: boolean;
}

export function natRuleset(
  kind: LabNatKind,
  a: RouterAddressing,
  input: RouterInputPolicy = 'firewalled',
  options: NatOptions = {},
): string {
  const wan = JSON.stringify(a.wanIf);
  const lines: string[] = [`table ip ${TABLE} {`];
  if (kind !== 'open') {
    lines.push(
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      `    iifname ${wan} ct state established,related accept`,
      kind === 'full_cone' || options.acceptsMapped
        ? `    iifname ${wan} ct status dnat accept`
        : '',
      `    iifname ${wan} drop`,
      '  }',
    );
  }
  if (kind !== 'open' && input === 'firewalled') {
    lines.push(
      // Like a home router, answer nothing on the WAN that the inside did not start. Without
      // this, an unsolicited punch packet is delivered to the router itself, and the conntrack
      // entry it leaves makes the router remap the player's own outgoing packet to that peer.
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      `    iifname ${wan} ct state established,related accept`,
      `    iifname ${wan} drop`,
      '  }',
    );
  }
  if (kind === 'port_restricted' || kind === 'symmetric') {
    lines.push(
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    oifname ${wan} ${kind === 'symmetric' ? SYMMETRIC_MASQUERADE : 'masquerade'}`,
      '  }',
    );
  }
  if (kind === 'full_cone') {
    lines.push(
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    oifname ${wan} ip saddr ${a.insideHost} snat to ${a.publicIp}`,
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      `    iifname ${wan} ip daddr ${a.publicIp} meta l4proto udp dnat to ${a.insideHost}`,
      '  }',
    );
  }
  lines.push('}');
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

/** Loads the ruleset for `kind` into the router namespace (replacing any earlier one). */
export async function applyNat(
  ns: string,
  kind: LabNatKind,
  addressing: RouterAddressing,
  input: RouterInputPolicy = 'firewalled',
  options: NatOptions = {},
): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input: `table ip ${TABLE}\ndelete table ip ${TABLE}\n${natRuleset(kind, addressing, input, options)}`,
  });
}

/**
 * A home router's IPv6 firewall: no NAT, inbound forwarded only for flows the inside started,
 * nothing on the WAN answered that the inside did not start. Two players behind such firewalls
 * reach each other directly once both have sent (each one's outbound packet opens its own state).
 */
export function ipv6FirewallRuleset(wanIf: string): string {
  const wan = JSON.stringify(wanIf);
  return [
    `table ip6 ${TABLE}_v6 {`,
    // Named counters: a test reads what the firewall let in (flows the inside started) and
    // what it dropped (everything else), see ipv6FirewallCounters.
    '  counter established_in { }',
    '  counter dropped_in { }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${wan} ct state established,related counter name established_in accept`,
    `    iifname ${wan} meta l4proto ipv6-icmp accept`,
    `    iifname ${wan} counter name dropped_in drop`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname ${wan} ct state established,related accept`,
    // Neighbour discovery must pass, or the router cannot even resolve its neighbours.
    `    iifname ${wan} meta l4proto ipv6-icmp accept`,
    `    iifname ${wan} drop`,
    '  }',
    '}',
  ].join('\n');
}

/** Packets the IPv6 firewall of router namespace `ns` forwarded inbound as established, and dropped. */
export async function ipv6FirewallCounters(
  ns: string,
): Promise<{ establishedIn: number; droppedIn: number }> {
  const read = async (name: string) => {
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'list',
      'counter',
      'ip6',
      `${TABLE}_v6`,
      name,
    ]);
    const packets = /packets (\d+)/.exec(stdout)?.[1];
    if (packets === undefined) throw new Error(`no counter ${name} in ${ns}: ${stdout}`);
    return Number(packets);
  };
  return { establishedIn: await read('established_in'), droppedIn: await read('dropped_in') };
}
