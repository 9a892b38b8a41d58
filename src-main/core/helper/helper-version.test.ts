import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HelperClient } from './helper-client.js';
import { HelperError } from './helper-error.js';
import { encodeFrame, FrameReader, FrameType } from './helper-frames.js';

/**
 * A core of protocol version 2 greeting a helper of another version. The "helper" here is a raw
 * Unix socket speaking the protocol's frames by hand (the real binary speaks 2; its refusal of a
 * version-1 core is in helper-client.test.ts), so the answers are exactly what an older or newer
 * helper would write.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A client wired to a socket whose far end answers each request with `answer(request)`. */
async function clientAgainst(answer: (request: { id: number; op: string }) => object) {
  const dir = mkdtempSync(join(tmpdir(), 'lanrage-helper-version-'));
  const path = join(dir, 'helper.sock');
  const seen: object[] = [];
  const server: Server = createServer((far: Socket) => {
    const reader = new FrameReader();
    far.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk).frames) {
        const request = JSON.parse(f.body.toString('utf8')) as { id: number; op: string };
        seen.push(request);
        far.write(encodeFrame(FrameType.Response, Buffer.from(JSON.stringify(answer(request)))));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const near = createConnection(path);
  await new Promise<void>((resolve) => near.once('connect', resolve));
  cleanups.push(() => {
    near.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { client: new HelperClient(near, near, {}), seen };
}

describe('the core greeting a helper of another protocol version', () => {
  it('refuses a helper that answers hello with version 1, naming both versions', async () => {
    const { client, seen } = await clientAgainst(({ id }) => ({
      id,
      ok: true,
      result: { version: 1, helper: 'lanrage-helper 0.0.9', pid: 4242 },
    }));
    const error = await client.greet(2_000).catch((e: unknown) => e);
    expect(seen).toEqual([{ id: 1, op: 'hello', version: 2 }]);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({
      failure: 'protocol',
      code: 'wireguard-failed',
      message:
        'the WireGuard helper speaks protocol version 1; this LANrage speaks version 2: use the helper built with this LANrage (npm run build)',
    });
  });

  it('turns a version-1 helper’s refusal of version 2 into an error naming both versions', async () => {
    // What the version-1 helper wrote (its server.go before the bump).
    const { client } = await clientAgainst(({ id }) => ({
      id,
      ok: false,
      error: { code: 'version', message: 'this helper speaks protocol version 1, not 2' },
    }));
    const error = await client.greet(2_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({
      failure: 'protocol',
      helperCode: 'version',
      message:
        'the WireGuard helper refused protocol version 2, which this LANrage speaks (the helper refused hello: version: this helper speaks protocol version 1, not 2); use the helper built with this LANrage (npm run build)',
    });
  });

  it('greets a helper of version 2', async () => {
    const { client } = await clientAgainst(({ id }) => ({
      id,
      ok: true,
      result: { version: 2, helper: 'lanrage-helper 0.1.0', pid: 4242 },
    }));
    await expect(client.greet(2_000)).resolves.toEqual({
      version: 2,
      helper: 'lanrage-helper 0.1.0',
      pid: 4242,
    });
  });
});
