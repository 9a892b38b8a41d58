import { hmacSha256, macEqual } from '../../src-common/crypto/mac.js';
import { RELAY_REGISTRATION_LABEL } from '../../src-shared/protocol/control-messages.js';

/**
 * A relay signs its registration body (the exact JSON bytes it POSTs) with the shared relay
 * secret; the control server checks the same bytes before parsing them. Hex in the
 * `x-lanrage-signature` header.
 */
export function signRelayRegistration(secret: Uint8Array, body: string): string {
  return hmacSha256(secret, RELAY_REGISTRATION_LABEL, body).toString('hex');
}

export function relayRegistrationSignatureValid(
  secret: Uint8Array,
  body: string,
  signatureHex: string | undefined,
): boolean {
  if (typeof signatureHex !== 'string' || !/^[0-9a-f]{64}$/.test(signatureHex)) return false;
  return macEqual(
    Buffer.from(signRelayRegistration(secret, body), 'hex'),
    Buffer.from(signatureHex, 'hex'),
  );
}
