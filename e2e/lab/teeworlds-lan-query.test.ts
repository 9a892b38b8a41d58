import { describe, expect, it } from 'vitest';
import { getInfo, parseInfo, parseTokenAnswer, tokenRequest } from './teeworlds-lan-query.js';

// Datagrams captured from Debian's teeworlds-server 0.7.5 answering this exchange on loopback.
const SERVER_TOKEN_ANSWER = Buffer.from('0400001234567805' + '0a21fb83', 'hex');
const SERVER_INFO = Buffer.concat([
  Buffer.from('21' + '12345678' + '0a21fb83' + 'ffffffff696e6633' + '2a', 'hex'),
  Buffer.from('0.7.5\0LANrage lab\0\0dm1\0DM\0\0\x01\0\x08\0\x08', 'latin1'),
]);

describe('Teeworlds 0.7 LAN query', () => {
  it('asks for a token with a padded control message', () => {
    const b = tokenRequest(0x12345678);
    expect(b.length).toBe(520);
    expect(b.subarray(0, 12).toString('hex')).toBe('040000ffffffff0512345678');
    expect(b.subarray(12).every((x) => x === 0)).toBe(true);
  });

  it("reads the server's token from its answer", () => {
    expect(parseTokenAnswer(SERVER_TOKEN_ANSWER, 0x12345678)).toBe(0x0a21fb83);
    expect(parseTokenAnswer(SERVER_TOKEN_ANSWER, 0x11111111)).toBeNull();
  });

  it('asks for the server info with both tokens', () => {
    expect(getInfo(0x0a21fb83, 0x12345678, 42).toString('hex')).toBe(
      '210a21fb8312345678ffffffff676965332a',
    );
  });

  it('reads the server info the real server sent', () => {
    expect(parseInfo(SERVER_INFO, 0x12345678)).toEqual({
      browserToken: 42,
      version: '0.7.5',
      name: 'LANrage lab',
      hostname: '',
      map: 'dm1',
      gametype: 'DM',
    });
    expect(parseInfo(SERVER_INFO, 0x12345679)).toBeNull();
    expect(parseInfo(SERVER_INFO.subarray(0, 30), 0x12345678)).toBeNull();
  });
});
