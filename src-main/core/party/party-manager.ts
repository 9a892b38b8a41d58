import type { PartyStatus } from '../../../src-shared/domain/core-status.js';
import type {
  ControlEvent,
  MemberInfo,
  Party,
  Welcome,
} from '../../../src-shared/protocol/control-messages.js';
import { LanrageError } from '../../../src-shared/domain/lanrage-error.js';
import { normalizeInviteCode } from '../../../src-shared/domain/invite-code.js';
import type { ConnectionManager } from '../connection/connection-manager.js';
import type { ControlClient } from '../control/control-client.js';
import { joinWithProof } from '../control/join-with-proof.js';
import type { DataPlane } from '../net/data-plane.js';
import type { Logger } from '../../../src-common/logging/logger.js';

/**
 * Party membership as this client lives it: create / join / leave through the control server, the
 * WireGuard interface up with our virtual IP while in a party, a connection to every member present
 * and to each who joins later, none to those who leave. After a control-server restart the welcome
 * carries the party again, and the connections are reconciled with it — tunnels never drop for it.
 */
export interface PartyManagerDeps {
  control: ControlClient;
  connections: ConnectionManager;
  /** The interface, up with our virtual IP while in a party. */
  tunnel: Pick<DataPlane, 'up' | 'down'>;
  selfKey: string;
  /** What we tell the server about ourselves (NAT type, public endpoint, LAN candidates now). */
  memberInfo: () => MemberInfo;
  log: Logger;
  onChange: () => void;
}

export class PartyManager {
  private party: Party | null = null;
  private virtualIp: string | null = null;
  private tunnelUp = false;
  /**
   * While a create/join is in flight (and the interface is coming up), events wait here: the
   * server may push a member.joined or a signal before our own answer has been handled.
   */
  private entering = false;
  private held: ControlEvent[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly d: PartyManagerDeps) {
    this.unsubscribe.push(
      d.control.on(
        'event',
        (e) => void this.onEvent(e).catch((err: Error) => this.warn('event handling failed', err)),
      ),
      d.control.on(
        'welcome',
        (w) => void this.onWelcome(w).catch((err: Error) => this.warn('resume failed', err)),
      ),
    );
  }

  get current(): PartyStatus | null {
    return this.party
      ? { id: this.party.id, name: this.party.name, inviteCode: this.party.inviteCode }
      : null;
  }

  get ownVirtualIp(): string | null {
    return this.virtualIp;
  }

  async create(name: string, memberName: string): Promise<PartyStatus> {
    this.requireNoParty();
    return this.entered(async () => {
      const { party } = await this.d.control.request('party.create', {
        partyName: name,
        memberName,
        member: this.d.memberInfo(),
      });
      return party;
    });
  }

  async join(inviteCode: string, memberName: string): Promise<PartyStatus> {
    this.requireNoParty();
    const code = normalizeInviteCode(inviteCode);
    if (!code.ok) throw new LanrageError('bad-invite', `bad invite code: ${code.error}`);
    return this.entered(async () => {
      const { party } = await joinWithProof(
        this.d.control,
        { inviteCode: code.value, memberName, member: this.d.memberInfo() },
        this.d.log,
      );
      return party;
    });
  }

  async leave(): Promise<void> {
    const party = this.party;
    if (!party) return;
    this.d.log.info('leaving party', { party: party.id });
    this.party = null;
    await this.d.connections.dropAll();
    await this.d.control
      .request('party.leave', { partyId: party.id })
      .catch((e: Error) => this.warn('leave request failed', e));
    await this.downTunnel();
    this.d.onChange();
  }

  /** Stops reacting to the control server (the caller closes it). */
  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private requireNoParty(): void {
    if (this.party)
      throw new LanrageError(
        'already-in-party',
        `already in party "${this.party.name}"; leave it first`,
      );
  }

  private async entered(request: () => Promise<Party>): Promise<PartyStatus> {
    this.entering = true;
    let entered: PartyStatus;
    try {
      const party = await request();
      await this.enter(party);
      // The party as entered: held events handled below may already have changed the current one.
      entered = { id: party.id, name: party.name, inviteCode: party.inviteCode };
    } finally {
      this.entering = false;
      const held = this.held.splice(0);
      for (const event of held)
        await this.onEvent(event).catch((e: Error) => this.warn('event handling failed', e));
    }
    return entered;
  }

  private async enter(party: Party): Promise<void> {
    const me = party.members.find((m) => m.publicKey === this.d.selfKey);
    if (!me) {
      throw new LanrageError('control-protocol', 'the control server did not list us as a member');
    }
    this.party = party;
    this.virtualIp = me.virtualIp;
    this.d.connections.enterParty(party.id);
    this.d.log.info('in party', {
      party: party.id,
      name: party.name,
      virtualIp: me.virtualIp,
      members: party.members.length,
    });
    // The interface's address and the peers' first paths (route grants, relay binds) need
    // nothing of each other: both start at once, which takes the address's set-up off the way to
    // the first ping of a join (issue #7). An interface that cannot come up takes the peers down.
    const tunnel = this.tunnelUp
      ? Promise.resolve()
      : this.d.tunnel.up(me.virtualIp).then(() => {
          this.tunnelUp = true;
        });
    const [up, peers] = await Promise.allSettled([tunnel, this.reconcile(party)]);
    if (up.status === 'rejected') {
      await this.d.connections.dropAll();
      throw up.reason;
    }
    if (peers.status === 'rejected') throw peers.reason;
    this.d.onChange();
  }

  private async reconcile(party: Party): Promise<void> {
    const present = new Set(party.members.map((m) => m.publicKey));
    for (const key of this.d.connections.keys())
      if (!present.has(key)) await this.d.connections.drop(key);
    await Promise.all(
      party.members
        .filter((m) => m.publicKey !== this.d.selfKey)
        .map((m) =>
          this.d.connections.ensure(m).catch((e: Error) => this.warn('peer setup failed', e)),
        ),
    );
  }

  private async onWelcome(welcome: Welcome): Promise<void> {
    if (!this.party) return;
    if (!welcome.party || welcome.party.id !== this.party.id) {
      // The server no longer has us in this party (expired while we were away): we are out.
      this.d.log.warn('control server no longer lists us in the party', { party: this.party.id });
      this.party = null;
      await this.d.connections.dropAll();
      await this.downTunnel();
      this.d.onChange();
      return;
    }
    this.d.log.info('control server reconnected; party resumed', { party: welcome.party.id });
    this.party = welcome.party;
    await this.reconcile(welcome.party);
    this.d.onChange();
  }

  private async onEvent(event: ControlEvent): Promise<void> {
    if (this.entering) {
      this.held.push(event);
      return;
    }
    if (event.event === 'relays.changed' || !this.party || event.partyId !== this.party.id) return;
    switch (event.event) {
      case 'member.joined':
      case 'member.updated':
        this.upsertMember(event.member);
        await this.d.connections.ensure(event.member);
        break;
      case 'member.left':
        this.party.members = this.party.members.filter((m) => m.publicKey !== event.publicKey);
        this.d.log.info('member left', {
          party: this.party.id,
          peerKey: event.publicKey.slice(0, 8),
          reason: event.reason,
        });
        await this.d.connections.drop(event.publicKey);
        break;
      case 'signal':
        this.d.connections.onSignal(event.from, event.signal);
        break;
    }
    this.d.onChange();
  }

  private upsertMember(member: Party['members'][number]): void {
    if (!this.party) return;
    const i = this.party.members.findIndex((m) => m.publicKey === member.publicKey);
    if (i >= 0) this.party.members[i] = member;
    else this.party.members.push(member);
  }

  private async downTunnel(): Promise<void> {
    if (!this.tunnelUp) return;
    this.tunnelUp = false;
    this.virtualIp = null;
    await this.d.tunnel.down().catch((e: Error) => this.warn('removing the interface failed', e));
  }

  private warn(message: string, error: Error): void {
    this.d.log.warn(message, { party: this.party?.id, error: error.message });
  }
}
