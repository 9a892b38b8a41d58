import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHelperPath } from '../../src-main/core/helper/helper-process.js';
import { run, runIn } from './exec.js';
import { allowHelper, asUser, ensureLabUser, type LabUser } from './lab-user.js';
import { brief, ensureHelper, PartyLab, type StatusJson } from './party-lab.js';
import { ping } from './ping.js';

/**
 * Least privilege, for real: one player's `lanrage up` runs as an unprivileged system user and
 * starts only the WireGuard helper as root, through `sudo -n` and a sudoers rule that allows that
 * one binary with no arguments. The party still forms, pings cross the tunnel both ways, and the
 * unprivileged user's own `ping` measures ICMP latency through the tunnel.
 */
const SETTLE_MS = 25_000;
const ELEVATION = ['sudo', '-n'];
/** EOF reaches the helper at once; removing the interface takes it milliseconds. */
const HELPER_GONE_MS = 5_000;
let party: PartyLab;
let user: LabUser;
let removeRule: () => Promise<void>;
const status = new Map<string, StatusJson>();

/** Real and effective uid of every process in the namespace whose argv matches. */
async function uidsOf(ns: string, match: (argv: string[]) => boolean): Promise<string[]> {
  const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
  const uids: string[] = [];
  for (const pid of pids) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!match(argv)) continue;
    const proc = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const ids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(proc);
    if (ids) uids.push(`${ids[1]}/${ids[2]}`);
  }
  return uids;
}

function connectedTo(peer: string) {
  return (s: StatusJson) => {
    const p = s.peers.find((x) => x.name === peer);
    return p !== undefined && p.state === 'connected' && p.latencyMs !== null;
  };
}

beforeAll(async () => {
  ensureHelper();
  user = await ensureLabUser();
  removeRule = await allowHelper(user, resolveHelperPath());
  party = await PartyLab.start({
    players: [
      { name: 'host', nat: 'open' },
      { name: 'user', nat: 'port_restricted' },
      { name: 'nopriv', nat: 'open' },
    ],
    relays: [{ name: 'near', delayMs: 2 }],
  });
  const invite = (await party.up('host', { create: 'least privilege' }))!;
  await party.up('user', { join: invite }, { user, elevation: ELEVATION });
  status.set('host', await party.waitForStatus('host', connectedTo('user'), SETTLE_MS, 'user up'));
  status.set('user', await party.waitForStatus('user', connectedTo('host'), SETTLE_MS, 'host up'));
}, 120_000);

afterAll(async () => {
  await party?.stop();
  await removeRule?.();
}, 60_000);

describe('a player whose core runs unprivileged, with only the helper as root', () => {
  it('runs the core as the unprivileged user and only the helper as root', async () => {
    const ns = party.player('user').ns;
    const core = await uidsOf(ns, (argv) => argv[1]?.endsWith('lanrage.js') === true);
    const helper = await uidsOf(ns, (argv) => argv[0]?.endsWith('/lanrage-helper') === true);
    expect(core).toEqual([`${user.uid}/${user.uid}`]);
    expect(helper).toEqual(['0/0']);
  });

  it('forms the party: each side lists the other as connected', () => {
    const host = status.get('host')!.peers.find((p) => p.name === 'user')!;
    const joined = status.get('user')!.peers.find((p) => p.name === 'host')!;
    expect([brief(host).split('/')[0], brief(joined).split('/')[0]]).toEqual([
      'user:connected',
      'host:connected',
    ]);
    expect(joined.virtualIp).toBe(status.get('host')!.self.virtualIp);
  });

  it('pings over the tunnel both ways', async () => {
    const [toHost, toUser] = await Promise.all([
      ping(party.player('user').ns, status.get('host')!.self.virtualIp!, 3, 0.2),
      ping(party.player('host').ns, status.get('user')!.self.virtualIp!, 3, 0.2),
    ]);
    expect(toHost.rttsMs, 'user → host').toHaveLength(3);
    expect(toUser.rttsMs, 'host → user').toHaveLength(3);
  });

  it("measures ICMP latency through the tunnel with the unprivileged user's own ping", async () => {
    // iputils' ping carries CAP_NET_RAW as a file capability: no root needed, as the core's
    // tunnel check (icmpLatency) relies on.
    const { stdout } = await runIn(party.player('user').ns, asUser(user)[0]!, [
      ...asUser(user).slice(1),
      'ping',
      '-n',
      '-c',
      '2',
      '-i',
      '0.2',
      '-w',
      '3',
      status.get('host')!.self.virtualIp!,
    ]);
    expect(stdout).toMatch(/2 packets transmitted, 2 received/);
  });

  it('exits 6 with a clear message when sudo has no rule for the user', async () => {
    // `nobody` has no sudoers rule: sudo -n refuses rather than asking for a password.
    const nobody: LabUser = { name: 'nobody', uid: 65534, gid: 65534 };
    const code = party.up(
      'nopriv',
      { join: 'ZZZZZ-ZZZZZ' },
      { user: nobody, elevation: ELEVATION },
    );
    await expect(code).rejects.toThrow(/exited \(6\)/);
    const log = await readFile(`${party.logDir}/player-nopriv.log`, 'utf8');
    expect(log).toMatch(/sudo -n did not start the WireGuard helper/);
    expect(log).toMatch(/a password is required/);
  });

  it('leaves no interface and no helper behind when the unprivileged core crashes', async () => {
    const { ns, wgName } = party.player('user');
    const helperRunning = async () =>
      (await uidsOf(ns, (argv) => argv[0]?.endsWith('/lanrage-helper') === true)).length;
    const interfaceThere = async () =>
      (await runIn(ns, 'ip', ['-o', 'link', 'show']).then((r) => r.stdout)).includes(` ${wgName}:`);
    expect([await helperRunning(), await interfaceThere()]).toEqual([1, true]);
    // SIGKILL: no leave, no clean-up of the core's own. The helper (root, behind sudo) sees EOF
    // on the pipe from its parent and removes the interface itself.
    await party.killPlayer('user');
    await expect
      .poll(async () => [await helperRunning(), await interfaceThere()], {
        timeout: HELPER_GONE_MS,
        interval: 100,
      })
      .toEqual([0, false]);
  });
});
