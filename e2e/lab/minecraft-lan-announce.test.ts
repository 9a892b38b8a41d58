import { describe, expect, it } from 'vitest';
import { formatAnnouncement, parseAnnouncement } from './minecraft-lan-announce.js';

describe("Minecraft's LAN announcement", () => {
  it('is the MOTD and the port in their tags', () => {
    expect(formatAnnouncement('Ana - Friday world', 25565)).toBe(
      '[MOTD]Ana - Friday world[/MOTD][AD]25565[/AD]',
    );
  });

  it('reads back what a game sends, and nothing else', () => {
    expect(parseAnnouncement('[MOTD]Ana - Friday world[/MOTD][AD]39451[/AD]')).toEqual({
      motd: 'Ana - Friday world',
      port: 39451,
    });
    expect(parseAnnouncement('[MOTD]x[/MOTD][AD]70000[/AD]')).toBeNull();
    expect(parseAnnouncement('[MOTD]x[/MOTD]')).toBeNull();
  });
});
