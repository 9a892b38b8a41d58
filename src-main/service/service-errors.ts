import { ServiceError } from '../../src-shared/ipc/service-error.js';
import { ConfigError } from '../core/config/config-loader.js';
import { ControlRequestError } from '../core/control/control-client.js';
import { PartyError } from '../core/party/party-manager.js';

/**
 * The core's errors, as the contract's codes and a sentence a player can act on. The one place
 * that knows the core's error classes (branch `found` folds them into one type with a code union;
 * only this function changes then).
 */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof PartyError) {
    if (error.code === 'bad_invite')
      return new ServiceError('bad-invite', capitalise(error.message));
    if (error.code === 'already_in_party')
      return new ServiceError('already-in-party', capitalise(error.message));
  }
  if (error instanceof ControlRequestError) {
    if (error.code === 'bad_invite') {
      return new ServiceError(
        'bad-invite',
        `No party has this invite code. Check it with whoever sent it (${error.message}).`,
      );
    }
    if (error.code === 'timeout' || error.code === 'disconnected' || error.code === 'closed') {
      return new ServiceError(
        'control-unreachable',
        `The LANrage server did not answer (${error.message}). Check your connection and try again.`,
      );
    }
    return new ServiceError('refused', `The LANrage server refused: ${error.message}`);
  }
  if (error instanceof ConfigError) return new ServiceError('bad-setting', error.message);
  return new ServiceError('internal', error instanceof Error ? error.message : String(error));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
