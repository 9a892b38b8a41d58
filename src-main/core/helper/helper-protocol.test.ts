import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mutate, seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { checkRequest, HELPER_PROTOCOL_VERSION, parseResponse } from './helper-protocol.js';
import { loadProtocolVectors } from './helper-vectors.js';

const vectors = loadProtocolVectors();

describe('helper requests, checked as the helper checks them (shared vectors)', () => {
  for (const v of vectors.requests) {
    it(v.valid ? `accepts "${v.name}"` : `refuses "${v.name}" with ${v.error}`, () => {
      expect(checkRequest(v.json)?.code ?? 'valid').toBe(v.valid ? 'valid' : v.error);
    });
  }

  it('refuses a request that is not an object as bad-json', () => {
    expect(checkRequest([1])?.code).toBe('bad-json');
    expect(checkRequest(null)?.code).toBe('bad-json');
  });

  it('names the field that is wrong', () => {
    expect(
      checkRequest({ id: 4, op: 'set-peer', peer: 'x', allowedIps: [], persistentKeepalive: 0 }),
    ).toEqual({ code: 'bad-args', message: 'set-peer: peer: must be a WireGuard key (44 base64)' });
  });
});

describe('helper responses', () => {
  it('refuses responses that are not the protocol without throwing', () => {
    for (const text of [
      '',
      '[]',
      '{"id":1}',
      '{"id":-1,"ok":true,"result":{}}',
      '{"id":1,"ok":false}',
    ]) {
      expect(parseResponse(Buffer.from(text))).toBeNull();
    }
  });

  it('never throws on mutated responses (fuzz, seeded)', () => {
    const random = seededRandom(4242);
    const valid = Buffer.from('{"id":1,"ok":false,"error":{"code":"os","message":"x"}}');
    for (let i = 0; i < 2_000; i++) {
      expect(() => parseResponse(Buffer.from(mutate(random, valid)))).not.toThrow();
    }
  });
});

describe('the protocol version', () => {
  it('is 2 on the TypeScript side, in the shared vectors and in the Go helper', () => {
    // The Go side's one declaration (helper/internal/proto/errors.go), read as text: a bump on one
    // side alone fails here, and in the Go tests against the same vectors.
    const goSource = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../../../helper/internal/proto/errors.go'),
      'utf8',
    );
    const goVersion = /^const Version = (\d+)$/m.exec(goSource)?.[1];
    expect([HELPER_PROTOCOL_VERSION, vectors.version, Number(goVersion)]).toEqual([2, 2, 2]);
  });
});
