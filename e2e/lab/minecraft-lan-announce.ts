/**
 * Minecraft Java Edition's LAN world announcement: a UDP datagram to 224.0.2.60:4445, sent about
 * every 1.5 s by a game that opened its world to LAN, read by every client's multiplayer screen.
 * The payload is text: "[MOTD]<world description>[/MOTD][AD]<TCP port>[/AD]".
 */
export const MINECRAFT_LAN_GROUP = '224.0.2.60';
export const MINECRAFT_LAN_PORT = 4445;

export function formatAnnouncement(motd: string, port: number): string {
  return `[MOTD]${motd}[/MOTD][AD]${port}[/AD]`;
}

export function parseAnnouncement(text: string): { motd: string; port: number } | null {
  const m = /^\[MOTD\](.*)\[\/MOTD\]\[AD\](\d{1,5})\[\/AD\]$/s.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { motd: m[1]!, port } : null;
}
