/**
 * Which multicast groups LANrage may copy into the party for game discovery. Pure rules shared by
 * the config schema and its tests; the helper enforces the same ones (discoveryos.Config.Check).
 */

/** Minecraft Java Edition's LAN announcements ("[MOTD]…[/MOTD][AD]port[/AD]" to 224.0.2.60:4445). */
export const MINECRAFT_LAN_GROUP = '224.0.2.60';

/** What a member copies by default: the one multicast group a common LAN game uses. */
export const DEFAULT_DISCOVERY_GROUPS: readonly string[] = [MINECRAFT_LAN_GROUP];

/** Games use a handful; each group is one firewall rule and one membership in the helper. */
export const MAX_DISCOVERY_GROUPS = 16;

const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Why a group cannot be copied into the party, or null when it can. mDNS, LLMNR, IGMP and routing
 * protocols (224.0.0.0/24) and SSDP (239.255.255.250) belong to the home network: copying them
 * would take them from it and tell the party about the user's devices.
 */
export function discoveryGroupProblem(group: string): string | null {
  if (!DOTTED.test(group)) return 'must be a dotted IPv4 address such as 224.0.2.60';
  const [a, b, c] = group.split('.').map(Number) as [number, number, number, number];
  if (a < 224 || a > 239) return 'must be an IPv4 multicast group (224.0.0.0 to 239.255.255.255)';
  if (a === 224 && b === 0 && c === 0)
    return 'is in 224.0.0.0/24 (mDNS, LLMNR, IGMP), which stays on the home network';
  if (group === '239.255.255.250') return 'is SSDP (UPnP), which stays on the home network';
  return null;
}
