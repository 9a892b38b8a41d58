import { CONTROL_CLOSE } from '../../src-shared/protocol/control-close-codes.js';
import type { ControlEvent } from '../../src-shared/protocol/control-messages.js';

/**
 * The authenticated connections by public key: one per key (a new login replaces the old one,
 * e.g. a client that reconnected before the server noticed its old socket died).
 */
export interface HubSession {
  readonly publicKey: string;
  /** Sends an already-serialised frame; false if the session could not take it. */
  sendRaw(frame: string): boolean;
  close(code: number, reason: string): void;
}

export class SessionHub {
  private readonly sessions = new Map<string, HubSession>();
  eventsPushed = 0;

  /** Registers `session`, closing any older one for the same key. */
  add(session: HubSession): void {
    const old = this.sessions.get(session.publicKey);
    this.sessions.set(session.publicKey, session);
    if (old && old !== session) old.close(CONTROL_CLOSE.replaced, 'replaced by a newer connection');
  }

  /** Forgets `session` if it is still the current one for its key; true if it was. */
  remove(session: HubSession): boolean {
    if (this.sessions.get(session.publicKey) !== session) return false;
    this.sessions.delete(session.publicKey);
    return true;
  }

  get(publicKey: string): HubSession | undefined {
    return this.sessions.get(publicKey);
  }

  /** Serialises once, sends to each connected key; returns how many received it. */
  publish(keys: readonly string[], event: ControlEvent): number {
    let frame: string | null = null;
    let reached = 0;
    for (const key of keys) {
      const session = this.sessions.get(key);
      if (!session) continue;
      frame ??= JSON.stringify(event);
      if (session.sendRaw(frame)) reached++;
    }
    this.eventsPushed += reached;
    return reached;
  }

  broadcast(event: ControlEvent): number {
    return this.publish([...this.sessions.keys()], event);
  }

  get size(): number {
    return this.sessions.size;
  }
}
