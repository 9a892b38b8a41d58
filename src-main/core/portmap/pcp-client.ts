import { randomBytes } from 'node:crypto';
import type { Clock } from '../time/clock.js';
import { exchange, type GatewayAddress } from './gateway-exchange.js';
import { epochWentBack, type MappedPort, type MappingProtocol } from './mapping-protocol.js';
import { decodeMapAnswer, encodeMapRequest, PCP_NONCE_LENGTH } from './pcp-codec.js';

/**
 * PCP (RFC 6887) client, MAP opcode only: one nonce per internal port, kept for renewals and the
 * deletion (the router refuses a change to a mapping with another nonce).
 */
export class PcpClient implements MappingProtocol {
  readonly name = 'pcp' as const;
  private readonly nonces = new Map<number, Buffer>();
  private lastEpoch: { epoch: number; atMs: number } | null = null;

  constructor(
    private readonly gateway: GatewayAddress,
    private readonly clock: Clock,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  async map(internalPort: number, lifetimeS: number): Promise<MappedPort> {
    let nonce = this.nonces.get(internalPort);
    if (!nonce) {
      nonce = this.random(PCP_NONCE_LENGTH);
      this.nonces.set(internalPort, nonce);
    }
    const key = nonce;
    const mapped = await exchange(
      this.gateway,
      this.clock,
      ({ localAddress }) =>
        encodeMapRequest({
          clientIp: localAddress,
          nonce: key,
          internalPort,
          suggestedExternalPort: internalPort,
          lifetimeS,
        }),
      (answer) => decodeMapAnswer(answer, { nonce: key, internalPort }),
    );
    const now = this.clock.now();
    const restarted = epochWentBack(this.lastEpoch, mapped.epoch, now);
    this.lastEpoch = { epoch: mapped.epoch, atMs: now };
    return {
      externalIp: mapped.externalIp,
      externalPort: mapped.externalPort,
      lifetimeS: mapped.lifetimeS,
      routerRestarted: restarted,
    };
  }

  async unmap(internalPort: number): Promise<void> {
    const nonce = this.nonces.get(internalPort);
    if (!nonce) return;
    this.nonces.delete(internalPort);
    await exchange(
      this.gateway,
      this.clock,
      ({ localAddress }) =>
        encodeMapRequest({
          clientIp: localAddress,
          nonce,
          internalPort,
          suggestedExternalPort: 0,
          lifetimeS: 0,
        }),
      (answer) => decodeMapAnswer(answer, { nonce, internalPort, allowZeroLifetime: true }),
    );
  }
}
