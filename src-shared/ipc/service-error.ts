import type { ServiceErrorCode } from './contract.js';

/**
 * A failed call as every face of LANrage sees it: a code from the contract's union (the UI picks
 * its reaction from the code, never from the text) and a sentence for the user.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
