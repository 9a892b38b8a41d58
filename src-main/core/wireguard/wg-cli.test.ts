import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import type { RunCommand } from './command-runner.js';
import { checkInterfaceName, peerSetArgs, WgCli, type WgPeerConfig } from './wg-cli.js';
import { WireGuardError } from './wireguard-error.js';

const peer: WgPeerConfig = {
  publicKey: generateKeyPair().publicKey,
  virtualIp: '10.66.0.2',
  endpoint: { host: '127.0.0.1', port: 40001 },
  persistentKeepaliveSeconds: 25,
};

/** Records commands instead of running them: the seam is the process boundary itself. */
function recorder(): { run: RunCommand; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (file, args) => {
      calls.push([file, ...args]);
      return { stdout: '', stderr: '' };
    },
  };
}

describe('peerSetArgs', () => {
  it('routes the peer as a /32 with endpoint and persistent keepalive', () => {
    expect(peerSetArgs('lanrage0', peer)).toEqual([
      'set',
      'lanrage0',
      'peer',
      peer.publicKey,
      'allowed-ips',
      '10.66.0.2/32',
      'endpoint',
      '127.0.0.1:40001',
      'persistent-keepalive',
      '25',
    ]);
  });

  it('leaves the endpoint out when unknown and turns keepalive off at 0', () => {
    expect(
      peerSetArgs('lanrage0', { ...peer, endpoint: null, persistentKeepaliveSeconds: 0 }),
    ).toEqual([
      'set',
      'lanrage0',
      'peer',
      peer.publicKey,
      'allowed-ips',
      '10.66.0.2/32',
      'persistent-keepalive',
      'off',
    ]);
  });
});

describe('WgCli', () => {
  it.each([
    ['a malformed key', { ...peer, publicKey: 'AAAA' }, /public key/],
    ['a CIDR instead of an IP', { ...peer, virtualIp: '10.66.0.0/16' }, /virtual IP/],
    ['a port out of range', { ...peer, endpoint: { host: '1.2.3.4', port: 70000 } }, /endpoint/],
    ['a host name endpoint', { ...peer, endpoint: { host: 'evil;rm', port: 1 } }, /endpoint/],
    ['a negative keepalive', { ...peer, persistentKeepaliveSeconds: -1 }, /keepalive/],
  ])('refuses %s before running anything', async (_what, bad, message) => {
    const { run, calls } = recorder();
    await expect(new WgCli(run).setPeer('lanrage0', bad)).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });

  it('never puts the private key on the command line', async () => {
    const { run, calls } = recorder();
    const keys = generateKeyPair();
    await new WgCli(run).setPrivateKeyAndPort('lanrage0', keys.privateKey, 0);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.join(' ')).not.toContain(keys.privateKey);
  });
});

describe('checkInterfaceName', () => {
  it.each(['lanrage0', 'lr3f2a1', 'a'])('accepts %s', (name) => {
    expect(() => checkInterfaceName(name)).not.toThrow();
  });

  it.each(['', 'sixteen-chars-xx', 'bad name', '..', 'a/b'])('rejects "%s"', (name) => {
    expect(() => checkInterfaceName(name)).toThrow(WireGuardError);
  });
});
