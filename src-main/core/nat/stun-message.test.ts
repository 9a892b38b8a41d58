import stun from 'stun';
import { describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { crc32, parseStunFrame } from '../../../src-shared/protocol/stun-framing.js';
import { encodeBindingRequest, parseBindingResponse } from './stun-message.js';

const { constants: C } = stun;
const txid = Buffer.from('0102030405060708090a0b0c', 'hex');

function success() {
  const m = stun.createMessage(C.STUN_BINDING_RESPONSE, txid);
  m.addXorAddress('203.0.113.9', 40000);
  m.addAttribute(C.STUN_ATTR_RESPONSE_ORIGIN, '198.51.100.1', 3478);
  m.addAttribute(C.STUN_ATTR_OTHER_ADDRESS, '198.51.100.2', 3479);
  return m;
}

describe('Binding request encoding', () => {
  it('carries CHANGE-REQUEST flags only when a change is asked for', () => {
    const plain = stun.decode(encodeBindingRequest(txid));
    expect(plain.type).toBe(C.STUN_BINDING_REQUEST);
    expect(plain.transactionId.equals(txid)).toBe(true);
    expect(plain.getAttribute(C.STUN_ATTR_CHANGE_REQUEST)).toBeUndefined();
    const both = stun.decode(encodeBindingRequest(txid, { changeIp: true, changePort: true }));
    expect(both.getAttribute(C.STUN_ATTR_CHANGE_REQUEST)?.value).toBe(0x6);
    const port = stun.decode(encodeBindingRequest(txid, { changeIp: false, changePort: true }));
    expect(port.getAttribute(C.STUN_ATTR_CHANGE_REQUEST)?.value).toBe(0x2);
  });
});

describe('Binding response parsing', () => {
  it('reads the mapped address, RESPONSE-ORIGIN and OTHER-ADDRESS', () => {
    const result = parseBindingResponse(success().toBuffer());
    expect(result).toEqual({
      ok: true,
      value: {
        kind: 'success',
        transactionId: new Uint8Array(txid),
        mapped: { host: '203.0.113.9', port: 40000 },
        responseOrigin: { host: '198.51.100.1', port: 3478 },
        otherAddress: { host: '198.51.100.2', port: 3479 },
      },
    });
  });

  it('reads an IPv6 XOR-MAPPED-ADDRESS', () => {
    const m = stun.createMessage(C.STUN_BINDING_RESPONSE, txid);
    m.addXorAddress('2001:db8::7', 9000);
    expect(parseBindingResponse(m.toBuffer())).toMatchObject({
      value: { mapped: { host: '2001:db8::7', port: 9000 }, otherAddress: null },
    });
  });

  it('reads ERROR-CODE 420 as 420, where the stun package reads 480', () => {
    const m = stun.createMessage(C.STUN_BINDING_ERROR_RESPONSE, txid);
    m.addError(420);
    m.addUnknownAttributes([0x0003, 0x0027]);
    const bytes = m.toBuffer();
    expect(stun.decode(bytes).getError()?.code).toBe(480); // the gap this module fills
    expect(parseBindingResponse(bytes)).toMatchObject({
      value: {
        kind: 'error',
        code: 420,
        reason: 'Unknown Attribute',
        unknownAttributes: [3, 0x27],
      },
    });
  });

  it('refuses requests, responses without a mapped address and truncated addresses', () => {
    expect(parseBindingResponse(encodeBindingRequest(txid)).ok).toBe(false);
    expect(
      parseBindingResponse(stun.createMessage(C.STUN_BINDING_RESPONSE, txid).toBuffer()),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/MAPPED-ADDRESS/),
    });
    const bytes = Buffer.from(success().toBuffer());
    bytes[20 + 5] = 2; // XOR-MAPPED-ADDRESS claims IPv6 but carries 4 address bytes
    expect(parseBindingResponse(bytes)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/malformed/),
    });
  });

  it('checks FINGERPRINT with CRC-32 and refuses a message whose fingerprint is wrong', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const m = success();
    m.addFingerprint();
    const bytes = Buffer.from(m.toBuffer());
    expect(parseStunFrame(bytes).ok).toBe(true);
    bytes[bytes.length - 1]! ^= 1;
    expect(parseStunFrame(bytes)).toMatchObject({ ok: false, error: 'FINGERPRINT does not match' });
  });

  it('never throws on 20,000 random and mutated responses, and never invents an address', () => {
    const random = seededRandom(0xc11e);
    const seeds = [success().toBuffer(), encodeBindingRequest(txid)];
    const err = stun.createMessage(C.STUN_BINDING_ERROR_RESPONSE, txid);
    err.addError(420);
    seeds.push(err.toBuffer());
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const input =
        i % 4 === 0 ? randomBytes(random, 100) : mutate(random, seeds[i % seeds.length]!);
      const result = parseBindingResponse(input);
      if (!result.ok) {
        expect(typeof result.error).toBe('string');
        continue;
      }
      accepted++;
      if (result.value.kind === 'success') {
        expect(result.value.mapped.port).toBeGreaterThanOrEqual(1);
        expect(result.value.mapped.host).toMatch(/^[0-9a-f.:]+$/);
      } else {
        expect(result.value.code).toBeGreaterThanOrEqual(300);
        expect(result.value.code).toBeLessThan(700);
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
