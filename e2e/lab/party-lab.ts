import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoreStatus, PeerStatus } from '../../src-shared/domain/core-status.js';
import { LAB_STATE_DIR } from './delay-link.js';
import { run, runIn } from './exec.js';
import { startInNamespace, type LabProcess } from './lanrage-process.js';
import { asUser, type LabUser } from './lab-user.js';
import {
  CONTROL_IP,
  Lab,
  STUN_IPS,
  STUN_PORTS,
  type PlayerLayout,
  type PlayerSpec,
} from './topology.js';

/**
 * A LANrage party in the NAT lab: the real control server, STUN server and relays in the
 * "internet", and a real `lanrage up` (with its real WireGuard helper) behind each player's NAT. Everything
 * runs from the built bundles in dist/ — what users run.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');
export const CONTROL_PORT = 7400;
export const RELAY_PORT = 7401;
const SECRET = 'lanrage-lab-relay-secret-0123456789';
/** Starting a player includes the helper, the control login and NAT detection. */
const UP_TIMEOUT_MS = 20_000;

export interface StatusJson {
  party: CoreStatus['party'];
  self: CoreStatus['self'];
  control: CoreStatus['control'];
  peers: PeerStatus[];
}

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Builds the renderer (web mode serves it) when it is missing or older than its sources. */
export function ensureRenderer(): void {
  const html = join(DIST, 'renderer', 'index.html');
  const sources = Math.max(...['src-renderer', 'src-shared'].map((d) => newest(join(ROOT, d))));
  if (existsSync(html) && statSync(html).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only', 'renderer'], {
    stdio: 'inherit',
  });
}

/** Builds the server and CLI bundles when they are missing or older than the sources. */
export function ensureBundles(): void {
  const outputs = [
    'server/lanrage-control.js',
    'server/lanrage-relay.js',
    'server/lanrage-stun.js',
    'cli/lanrage.js',
    'cli/lanrage.cjs',
  ].map((p) => join(DIST, p));
  const sources = Math.max(
    ...['src-main', 'src-server', 'src-shared'].map((d) => newest(join(ROOT, d))),
  );
  if (outputs.every((o) => existsSync(o) && statSync(o).mtimeMs >= sources)) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only', 'servers,cli'], {
    stdio: 'inherit',
  });
}

/**
 * Builds the WireGuard helper (Go) into dist/helper/ with `npm run build`'s own step when it is
 * missing or older than its sources: every player's `lanrage up` runs it.
 */
export function ensureHelper(): void {
  const binary = join(DIST, 'helper', 'lanrage-helper');
  if (existsSync(binary) && statSync(binary).mtimeMs >= newest(join(ROOT, 'helper'))) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only', 'helper'], {
    stdio: 'inherit',
  });
}

export class PartyLab {
  readonly lab: Lab;
  readonly logDir: string;
  private readonly work: string;
  private control: LabProcess | null = null;
  /**
   * The control server's TLS certificate fingerprint (it makes one at first start and keeps it
   * beside its database, so a restart keeps it): relays and players pin it, as real ones would
   * from an invite link — every lab run goes over the secure channel.
   */
  private controlFingerprint: string | null = null;
  private readonly relays = new Map<string, LabProcess>();
  private readonly players = new Map<string, LabProcess>();
  private readonly others: LabProcess[] = [];

  private constructor(lab: Lab) {
    this.lab = lab;
    this.work = mkdtempSync(join(tmpdir(), `lanrage-lab-${lab.layout.id}-`));
    this.logDir = join(LAB_STATE_DIR, 'logs', lab.layout.id);
  }

  static async start(spec: {
    players: PlayerSpec[];
    relays: { name: string; delayMs: number }[];
  }): Promise<PartyLab> {
    ensureBundles();
    ensureHelper();
    const lab = await Lab.start({ ...spec, stun: false });
    const party = new PartyLab(lab);
    try {
      const inet = lab.layout.internetNs;
      const stun = party.spawn('stun', inet, [
        'server/lanrage-stun.js',
        '--listen',
        `${STUN_IPS[0]}:${STUN_PORTS[0]}`,
        '--alternate',
        `${STUN_IPS[1]}:${STUN_PORTS[1]}`,
      ]);
      party.others.push(stun);
      await stun.waitForLine(/listening/, 10_000);
      await party.startControl();
      for (const relay of lab.layout.relays) await party.startRelay(relay.name);
      await party.waitForRelays(lab.layout.relays.length);
      return party;
    } catch (error) {
      await party.stop();
      throw error;
    }
  }

  async startControl(): Promise<void> {
    this.control = this.spawn('control', this.lab.layout.internetNs, [
      'server/lanrage-control.js',
      '--listen',
      `${CONTROL_IP}:${CONTROL_PORT}`,
      '--db',
      join(this.work, 'control.db'),
      '--stun',
      `${STUN_IPS[0]}:${STUN_PORTS[0]}`,
    ]);
    const line = await this.control.waitForLine(/listening/, 10_000);
    const fingerprint = /TLS fingerprint (\S+)\)/.exec(line)?.[1];
    if (!fingerprint) throw new Error(`control server did not start with TLS: ${line}`);
    if (this.controlFingerprint !== null && this.controlFingerprint !== fingerprint) {
      throw new Error('control server came back with another TLS certificate');
    }
    this.controlFingerprint = fingerprint;
  }

  private controlArgs(): string[] {
    return [
      '--control',
      `https://${CONTROL_IP}:${CONTROL_PORT}`,
      // One word: a base64url fingerprint may start with "-", which parseArgs would take for an
      // option (it did, in about 1 of 64 lab runs).
      `--control-fingerprint=${this.controlFingerprint!}`,
    ];
  }

  /** SIGKILL, as a crash: nothing gets to say goodbye. */
  async killControl(): Promise<void> {
    await this.control?.stop('SIGKILL');
    this.control = null;
  }

  async startRelay(name: string): Promise<void> {
    const relay = this.lab.relay(name);
    const proc = this.spawn(`relay-${name}`, relay.ns, [
      'server/lanrage-relay.js',
      '--listen',
      `${relay.ip}:${RELAY_PORT}`,
      ...this.controlArgs(),
      '--id',
      name,
      '--region',
      'lab',
    ]);
    this.relays.set(name, proc);
    await proc.waitForLine(/./, 10_000);
  }

  async killRelay(name: string): Promise<void> {
    await this.relays.get(name)?.stop('SIGKILL');
    this.relays.delete(name);
  }

  /**
   * `lanrage up` for a player; resolves with the invite code when it created the party. With
   * `as`, the core runs as that unprivileged user and starts only its helper as root, through
   * `elevation` (e.g. sudo -n). `config` is written to the player's config.json first (settings
   * a user would change there). `extra` adds arguments (e.g. `--ui`).
   */
  async up(
    name: string,
    how: { create: string } | { join: string },
    as: { user: LabUser; elevation: string[] } | null = null,
    config: Record<string, unknown> = {},
    extra: string[] = [],
  ): Promise<string | null> {
    const player = this.lab.player(name);
    if (Object.keys(config).length > 0) {
      await mkdir(this.configDir(name), { recursive: true });
      await writeFile(join(this.configDir(name), 'config.json'), JSON.stringify(config));
    }
    if (as) {
      // The user's own config dir (keys 0600, local socket) inside a work dir it may traverse.
      await chmod(this.work, 0o711);
      await mkdir(this.configDir(name), { recursive: true });
      await chown(this.configDir(name), as.user.uid, as.user.gid);
    }
    const args = [
      'cli/lanrage.js',
      'up',
      ...this.controlArgs(),
      '--name',
      name,
      '--config-dir',
      this.configDir(name),
      '--interface',
      player.wgName,
      '--log-level',
      'debug',
      ...('create' in how ? ['--create', how.create] : ['--join', how.join]),
      ...(as ? ['--helper-elevation', as.elevation.join(' ')] : []),
      ...extra,
    ];
    const proc = this.spawn(`player-${name}`, player.ns, args, as ? asUser(as.user) : []);
    this.players.set(name, proc);
    const line = await proc.waitForLine(/Invite code: |Joined party/, UP_TIMEOUT_MS);
    await proc.waitForLine(/^Virtual IP/, UP_TIMEOUT_MS);
    return /Invite code: (\S+)/.exec(line)?.[1] ?? null;
  }

  /**
   * `lanrage up --ui` for a player, idle (no --create/--join): the party is created or joined from
   * its web UI. Resolves with the URL it printed (loopback inside the player's namespace).
   */
  async upWithUi(name: string, config: Record<string, unknown> = {}): Promise<string> {
    const player = this.lab.player(name);
    if (Object.keys(config).length > 0) {
      await mkdir(this.configDir(name), { recursive: true });
      await writeFile(join(this.configDir(name), 'config.json'), JSON.stringify(config));
    }
    const proc = this.spawn(`player-${name}`, player.ns, [
      'cli/lanrage.js',
      'up',
      ...this.controlArgs(),
      '--name',
      name,
      '--config-dir',
      this.configDir(name),
      '--interface',
      player.wgName,
      '--log-level',
      'debug',
      '--ui',
      '127.0.0.1:0',
    ]);
    this.players.set(name, proc);
    const line = await proc.waitForLine(/^Web UI: /, UP_TIMEOUT_MS);
    return line.slice('Web UI: '.length).trim();
  }

  /** The web UI address a player's `lanrage up --ui` printed. */
  async webUiUrl(name: string): Promise<string> {
    const proc = this.players.get(name);
    if (!proc) throw new Error(`${name} is not running`);
    const line = await proc.waitForLine(/^Web UI: /, UP_TIMEOUT_MS);
    return line.slice('Web UI: '.length).trim();
  }

  /** Stops a player as Ctrl-C would: it leaves the party and removes its interface. */
  async down(name: string): Promise<number | null> {
    const proc = this.players.get(name);
    this.players.delete(name);
    return (await proc?.stop('SIGINT')) ?? null;
  }

  /** Runs another `lanrage` command as the player would, from its namespace; returns stdout. */
  async cli(name: string, args: string[]): Promise<string> {
    const player = this.lab.player(name);
    const { stdout } = await runIn(player.ns, process.execPath, [
      join(DIST, 'cli/lanrage.js'),
      ...args,
      '--config-dir',
      this.configDir(name),
    ]);
    return stdout;
  }

  /** Resolves with the exit code once a player's `lanrage up` has exited by itself. */
  exited(name: string): Promise<number | null> {
    const proc = this.players.get(name);
    if (!proc) return Promise.resolve(null);
    return proc.exited.then((code) => {
      this.players.delete(name);
      return code;
    });
  }

  async status(name: string): Promise<StatusJson> {
    const player = this.lab.player(name);
    const { stdout } = await runIn(player.ns, process.execPath, [
      join(DIST, 'cli/lanrage.js'),
      'status',
      '--json',
      '--config-dir',
      this.configDir(name),
    ]);
    return JSON.parse(stdout) as StatusJson;
  }

  /** Polls `lanrage status --json` until `check` holds; returns the last status. */
  async waitForStatus(
    name: string,
    check: (s: StatusJson) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<StatusJson> {
    const deadline = Date.now() + timeoutMs;
    let last: StatusJson | null = null;
    while (Date.now() < deadline) {
      last = await this.status(name).catch(() => last);
      if (last && check(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `${name}: ${what} not reached within ${timeoutMs} ms; last status: ${JSON.stringify(last?.peers.map(brief))}`,
    );
  }

  player(name: string): PlayerLayout {
    return this.lab.player(name);
  }

  /** Drops all UDP between two players' public addresses at `name`'s router (both directions). */
  async blockUdp(name: string, other: string): Promise<void> {
    const router = this.lab.player(name).routerNs;
    const otherIp = this.lab.player(other).publicIp;
    // Forwarded packets both ways, and — before any NAT — what arrives for the router itself.
    const ruleset = [
      'table inet lanrage_block {',
      '  chain forward_block {',
      '    type filter hook forward priority -10; policy accept;',
      `    ip daddr ${otherIp} meta l4proto udp drop`,
      `    ip saddr ${otherIp} meta l4proto udp drop`,
      '  }',
      '  chain prerouting_block {',
      '    type filter hook prerouting priority -300; policy accept;',
      `    ip saddr ${otherIp} meta l4proto udp drop`,
      '  }',
      '}',
    ].join('\n');
    await run('ip', ['netns', 'exec', router, 'nft', '-f', '-'], { input: `${ruleset}\n` });
  }

  /** Ctrl-C for one player's `lanrage up` (it leaves the party and quits), awaited. */
  async stopPlayer(name: string): Promise<void> {
    await this.players.get(name)?.stop('SIGINT');
    this.players.delete(name);
  }

  /** A crash of one player's `lanrage up`: SIGKILL, so nothing of the core runs after it. */
  async killPlayer(name: string): Promise<void> {
    await this.players.get(name)?.stop('SIGKILL');
    this.players.delete(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.players.values()].map((p) => p.stop('SIGINT')));
    await Promise.all([...this.relays.values(), ...this.others].map((p) => p.stop()));
    await this.control?.stop();
    await this.lab.stop();
    await run('rm', ['-rf', this.work]);
  }

  /** Forgets a stopped player's identity (keys, config): its next `up` is a new member. */
  forgetIdentity(name: string): void {
    rmSync(this.configDir(name), { recursive: true, force: true });
  }

  private configDir(name: string): string {
    return join(this.work, `player-${name}`);
  }

  private spawn(name: string, ns: string, args: string[], prefix: string[] = []): LabProcess {
    const [bundle, ...rest] = args;
    return startInNamespace(
      name,
      ns,
      [...prefix, process.execPath, join(DIST, bundle!), ...rest],
      join(this.logDir, `${name}.log`),
      {
        LANRAGE_RELAY_SECRET: SECRET,
      },
    );
  }

  private async waitForRelays(count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      // Node's own https client, run inside the namespace: no curl needed on the machine.
      const { stdout } = await runIn(this.lab.layout.internetNs, process.execPath, [
        '-e',
        // /health holds no secret; the certificate is self-signed (players pin it).
        `require('https').get('https://${CONTROL_IP}:${CONTROL_PORT}/health', { rejectUnauthorized: false }, (r) => r.pipe(process.stdout)).on('error', () => {})`,
      ]).catch(() => ({ stdout: '{}' }));
      let healthy = 0;
      try {
        healthy = (JSON.parse(stdout) as { relaysHealthy?: number }).relaysHealthy ?? 0;
      } catch {
        // Not up yet, or not JSON: ask again.
      }
      if (healthy >= count) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`relays did not register with the control server (logs: ${this.logDir})`);
  }
}

export function brief(p: PeerStatus): string {
  return `${p.name}:${p.state}/${p.strategy}${p.relay ? '@' + p.relay.id : ''}/${p.latencyMs ?? '-'}ms`;
}
