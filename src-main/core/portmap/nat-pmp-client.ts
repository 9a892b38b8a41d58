import type { Clock } from '../time/clock.js';
import { exchange, type GatewayAddress } from './gateway-exchange.js';
import { epochWentBack, type MappedPort, type MappingProtocol } from './mapping-protocol.js';
import {
  decodeExternalAddressAnswer,
  decodeMapUdpAnswer,
  encodeExternalAddressRequest,
  encodeMapUdpRequest,
} from './nat-pmp-codec.js';

/**
 * NAT-PMP (RFC 6886) client: asks the router for its external address, then maps our UDP port,
 * suggesting the same number outside. The epoch of each answer is checked for a router restart.
 */
export class NatPmpClient implements MappingProtocol {
  readonly name = 'nat-pmp' as const;
  private lastEpoch: { epoch: number; atMs: number } | null = null;

  constructor(
    private readonly gateway: GatewayAddress,
    private readonly clock: Clock,
  ) {}

  async map(internalPort: number, lifetimeS: number): Promise<MappedPort> {
    const address = await exchange(
      this.gateway,
      this.clock,
      () => encodeExternalAddressRequest(),
      decodeExternalAddressAnswer,
    );
    const restartedBefore = this.sawEpoch(address.epoch);
    const mapped = await exchange(
      this.gateway,
      this.clock,
      () => encodeMapUdpRequest(internalPort, internalPort, lifetimeS),
      decodeMapUdpAnswer,
    );
    const restarted = this.sawEpoch(mapped.epoch) || restartedBefore;
    if (mapped.internalPort !== internalPort)
      throw new Error(
        `NAT-PMP answer maps internal port ${mapped.internalPort}, not ${internalPort}`,
      );
    if (mapped.externalPort === 0 || mapped.lifetimeS === 0)
      throw new Error('NAT-PMP answer maps no port (external port or lifetime 0)');
    return {
      externalIp: address.externalIp,
      externalPort: mapped.externalPort,
      lifetimeS: mapped.lifetimeS,
      routerRestarted: restarted,
    };
  }

  async unmap(internalPort: number): Promise<void> {
    await exchange(
      this.gateway,
      this.clock,
      () => encodeMapUdpRequest(internalPort, 0, 0),
      decodeMapUdpAnswer,
    );
  }

  private sawEpoch(epoch: number): boolean {
    const now = this.clock.now();
    const back = epochWentBack(this.lastEpoch, epoch, now);
    this.lastEpoch = { epoch, atMs: now };
    return back;
  }
}
