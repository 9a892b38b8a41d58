import { afterEach, describe, expect, it } from 'vitest';
import { mutate, seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { HelperClient } from './helper-client.js';
import { HelperError } from './helper-error.js';
import { encodeFrame, FrameReader, FrameType } from './helper-frames.js';
import { HelperProcess, resolveHelperPath } from './helper-process.js';
import { loadProtocolVectors } from './helper-vectors.js';

/**
 * The real `lanrage-helper` binary (built by `npm run build`) against hostile input, before any
 * interface exists (no privilege needed): every malformed frame of the shared vectors, oversized
 * requests and seeded fuzz are refused with the protocol's error, and the helper keeps answering.
 */
const vectors = loadProtocolVectors();
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };
const running: HelperProcess[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

/** A helper spoken to in raw frames, bypassing the client's own checks. */
async function rawHelper() {
  const proc = await HelperProcess.spawn({ binaryPath: resolveHelperPath(), log: quiet });
  running.push(proc);
  const reader = new FrameReader();
  const inbox: { type: number; json: Record<string, unknown> }[] = [];
  let wake: (() => void) | null = null;
  proc.stdout.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk).frames) {
      inbox.push({ type: f.type, json: JSON.parse(f.body.toString('utf8')) });
    }
    wake?.();
  });
  const next = async () => {
    while (inbox.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the helper did not answer')), 5_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return inbox.shift()!;
  };
  const request = (json: object) =>
    proc.stdin.write(encodeFrame(FrameType.Request, Buffer.from(JSON.stringify(json))));
  return { proc, next, request, write: (hex: string) => proc.stdin.write(Buffer.from(hex, 'hex')) };
}

describe('the helper binary under hostile input', () => {
  it('refuses every malformed frame of the shared vectors and keeps answering', async () => {
    const h = await rawHelper();
    h.request({ id: 1, op: 'hello', version: 2 });
    expect((await h.next()).json).toMatchObject({ id: 1, ok: true, result: { version: 2 } });
    for (const bad of vectors.badFrames.filter((b) => !b.fatal)) {
      h.write(bad.hex);
      const answer = (await h.next()).json;
      const code = (answer.error as { code?: string } | undefined)?.code ?? answer.code;
      expect(code, bad.name).toBe(bad.error);
    }
    h.request({ id: 2, op: 'stats' });
    expect((await h.next()).json).toMatchObject({ id: 2, ok: false, error: { code: 'not-open' } });
  });

  it('refuses each invalid request of the shared vectors with its code and changes nothing', async () => {
    const h = await rawHelper();
    h.request({ id: 1, op: 'hello', version: 2 });
    await h.next();
    for (const v of vectors.requests.filter((r) => r.error !== undefined)) {
      h.request(v.json as object);
      const answer = (await h.next()).json as { ok: boolean; error?: { code: string } };
      expect(answer.ok, v.name).toBe(false);
      expect(answer.error?.code, v.name).toBe(v.error);
    }
  });

  it('survives 500 mutated request frames (seeded fuzz) and answers hello after them', async () => {
    const h = await rawHelper();
    const random = seededRandom(1207);
    const bodies = vectors.requests.map((r) => Buffer.from(JSON.stringify(r.json)));
    let answers = 0;
    for (let i = 0; i < 500; i++) {
      // Mutate the body, never the length prefix: a corrupt length ends the stream by design.
      const body = Buffer.from(mutate(random, bodies[i % bodies.length]!));
      if (body.length === 0 || body.length > 16_000) continue;
      h.proc.stdin.write(encodeFrame(FrameType.Request, body));
      await h.next();
      answers++;
    }
    h.request({ id: 77, op: 'hello', version: 2 });
    let last = await h.next();
    while (last.json.id !== 77) last = await h.next();
    expect(last.json).toMatchObject({ id: 77, ok: true });
    expect(answers).toBeGreaterThan(400);
    expect(h.proc.running).toBe(true);
  });

  it('refuses the hello of a version-1 core, naming both versions, and then greets version 2', async () => {
    const h = await rawHelper();
    h.request({ id: 1, op: 'hello', version: 1 });
    expect((await h.next()).json).toEqual({
      id: 1,
      ok: false,
      error: {
        code: 'version',
        message:
          'this helper speaks protocol version 2; the core speaks version 1 (use the helper built with the same LANrage)',
      },
    });
    h.request({ id: 2, op: 'stats' });
    expect((await h.next()).json).toMatchObject({ id: 2, ok: false, error: { code: 'not-hello' } });
    h.request({ id: 3, op: 'hello', version: 2 });
    expect((await h.next()).json).toMatchObject({ id: 3, ok: true, result: { version: 2 } });
  });

  it('ends the stream on a length it cannot skip, with status 2', async () => {
    const h = await rawHelper();
    h.write(vectors.badFrames.find((b) => b.name === 'length zero')!.hex);
    expect((await h.next()).json).toMatchObject({ event: 'error', code: 'bad-frame' });
    expect(await h.proc.exited).toEqual({ code: 2, signal: null });
  });
});

describe('the helper client', () => {
  it('greets the real helper and reads its typed refusal', async () => {
    const { client, process } = await HelperClient.start({
      binaryPath: resolveHelperPath(),
      log: quiet,
    });
    running.push(process);
    const error = await client.request('stats', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({ failure: 'refused', helperCode: 'not-open' });
  });

  it('refuses to send a request the protocol refuses, before it reaches the helper', async () => {
    const { client, process } = await HelperClient.start({
      binaryPath: resolveHelperPath(),
      log: quiet,
    });
    running.push(process);
    await expect(
      client.request('set-path', {
        peer: 'not a key',
        path: { kind: 'direct', host: '192.0.2.1', port: 9 },
      }),
    ).rejects.toMatchObject({ failure: 'bad-request', helperCode: 'bad-args' });
    // The helper never saw it: its next answer is for the next request.
    await expect(client.request('stats', {})).rejects.toMatchObject({ helperCode: 'not-open' });
  });

  it('starts the helper behind an elevation command', async () => {
    const { process } = await HelperClient.start({
      binaryPath: resolveHelperPath(),
      elevation: ['env', 'LANRAGE_ELEVATED=1'],
      log: quiet,
    });
    running.push(process);
    expect(process.running).toBe(true);
  });

  it('says elevation was refused when the elevation command does not start the helper', async () => {
    await expect(
      HelperClient.start({ binaryPath: resolveHelperPath(), elevation: ['false'], log: quiet }),
    ).rejects.toMatchObject({ failure: 'elevation-refused', code: 'no-privilege' });
  });

  it('names how to build the helper when the binary is missing', () => {
    expect(() => resolveHelperPath(null, {}, ['/nonexistent/lanrage-helper'])).toThrow(
      /not built: run `npm run build` \(building from source needs the Go toolchain/,
    );
  });
});
