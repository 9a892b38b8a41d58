import { describe, expect, it } from 'vitest';
import {
  ClientMessageSchema,
  MAX_CONTROL_MESSAGE_BYTES,
  parseJsonMessage,
  RelayRegistrationSchema,
  ServerMessageSchema,
} from './control-messages.js';
import { seededRandom } from './fuzz-bytes.js';

const key = 'TIKEA8cLFxkUTDz8LKWQ6Qi/zEE2k8soeVoYtE6CuG4=';
const member = {
  natType: 'full_cone',
  publicEndpoint: '198.18.0.2:40000',
  localCandidates: ['192.168.1.2:51820'],
};
const create = {
  t: 'req',
  id: 1,
  op: 'party.create',
  partyName: 'Friday',
  memberName: 'ana',
  member,
};

describe('control messages', () => {
  it('reads a well-formed party.create request', () => {
    const result = parseJsonMessage(ClientMessageSchema, JSON.stringify(create));
    expect(result.ok).toBe(true);
  });

  it('reads a signal event', () => {
    const event = {
      t: 'event',
      event: 'signal',
      partyId: 'abcdefghij012345',
      from: key,
      signal: { kind: 'punch', at: 1_700_000_000_000, attempt: 0 },
    };
    expect(parseJsonMessage(ServerMessageSchema, JSON.stringify(event)).ok).toBe(true);
  });

  it.each([
    ['text that is not JSON', '{"t":', 'not valid JSON'],
    ['an unknown op', JSON.stringify({ ...create, op: 'party.delete' }), 'op'],
    [
      'a name with a control character',
      JSON.stringify({ ...create, memberName: 'a\u0007b' }),
      'memberName',
    ],
    [
      'an empty name',
      JSON.stringify({ ...create, partyName: '   ' }),
      'partyName: must not be empty',
    ],
    [
      'an unknown NAT type',
      JSON.stringify({ ...create, member: { ...member, natType: 'cone' } }),
      'member.natType',
    ],
    [
      'a host name as a peer endpoint',
      JSON.stringify({ ...create, member: { ...member, publicEndpoint: 'evil.example:1' } }),
      'member.publicEndpoint',
    ],
    [
      'too many candidates',
      JSON.stringify({
        ...create,
        member: { ...member, localCandidates: Array(9).fill('1.1.1.1:1') },
      }),
      'at most 8',
    ],
    ['an extra field', JSON.stringify({ ...create, admin: true }), 'admin'],
    [
      'a key of the wrong size',
      JSON.stringify({ t: 'auth', v: 1, publicKey: 'AAAA', proof: key }),
      'publicKey',
    ],
    [
      'a future protocol version',
      JSON.stringify({ t: 'auth', v: 2, publicKey: key, proof: key }),
      'v',
    ],
    ['an oversized message', 'x'.repeat(MAX_CONTROL_MESSAGE_BYTES + 1), 'limit'],
  ])('refuses %s, naming the problem', (_name, text, reason) => {
    const result = parseJsonMessage(ClientMessageSchema, text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('refuses a relay registration with an unsafe id', () => {
    const result = RelayRegistrationSchema.safeParse({
      v: 1,
      id: '../etc',
      region: 'eu',
      endpoint: '198.18.0.10:7401',
      load: 0,
      sentAt: 0,
    });
    expect(result.success).toBe(false);
  });

  it('never throws on random or mutated JSON', () => {
    const random = seededRandom(5);
    const base = JSON.stringify(create);
    const symbols = '{}[]":,0123456789abcdefghijklmnopqrstuvwxyz.-_\\ ';
    for (let i = 0; i < 5_000; i++) {
      let text: string;
      if (i % 2 === 0) {
        text = '';
        const len = Math.floor(random() * 120);
        for (let j = 0; j < len; j++) text += symbols[Math.floor(random() * symbols.length)];
      } else {
        const chars = [...base];
        for (let k = 0; k < 3; k++)
          chars[Math.floor(random() * chars.length)] =
            symbols[Math.floor(random() * symbols.length)]!;
        text = chars.join('');
      }
      expect(() => parseJsonMessage(ClientMessageSchema, text)).not.toThrow();
      expect(() => parseJsonMessage(ServerMessageSchema, text)).not.toThrow();
    }
  });
});
