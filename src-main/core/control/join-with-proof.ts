import { solveJoinProof } from '../../../src-common/crypto/join-proof.js';
import { silentLogger, type Logger } from '../../../src-common/logging/logger.js';
import { normalizeInviteCode } from '../../../src-shared/domain/invite-code.js';
import { LanrageError } from '../../../src-shared/domain/lanrage-error.js';
import type { ParamsOf, ResultByOp } from '../../../src-shared/protocol/control-messages.js';
import { ControlRequestError, type ControlClient } from './control-client.js';

/**
 * Joins a party by invite code, paying a join proof when the server asks for one: while many
 * wrong codes come from our network (a guessing neighbour behind the same CGNAT) or from
 * everywhere at once, the server lets a join in only with ~2^bits hashes of work attached
 * (src-server/control/join-attempt-limiter.ts). The proof covers the code as the server
 * normalizes it, so it is normalized here the same way.
 */
export async function joinWithProof(
  control: Pick<ControlClient, 'request'>,
  params: Omit<ParamsOf<'party.join'>, 'proof'>,
  log: Logger = silentLogger,
): Promise<ResultByOp['party.join']> {
  try {
    return await control.request('party.join', params);
  } catch (error) {
    if (!(error instanceof ControlRequestError) || error.failure !== 'proof_required') throw error;
  }
  const { seed, bits } = await control.request('join.challenge');
  log.info('the control server asks for a join proof (wrong invite codes from this network)', {
    bits,
  });
  const code = normalizeInviteCode(params.inviteCode);
  if (!code.ok) throw new LanrageError('bad-invite', `bad invite code: ${code.error}`);
  const nonce = await solveJoinProof(Buffer.from(seed, 'base64'), code.value, bits);
  return control.request('party.join', {
    ...params,
    proof: { seed, bits, nonce: nonce.toString('base64') },
  });
}
