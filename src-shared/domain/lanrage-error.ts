/**
 * The one error type of the client (GitHub Desktop's ErrorWithMetadata is the model): every
 * failure a user or a script may see carries a code from one union. What to tell the user, and
 * which exit code `lanrage` returns, are looked up from the code (ERROR_MESSAGES here, the CLI's
 * exit-code table), never from the class or the message text.
 */
export const LANRAGE_ERROR_CODES = [
  /** A setting or the config file is wrong (the message names the field). */
  'bad-config',
  /** Bad command line. */
  'usage',
  /** The control server cannot be reached or stopped answering. */
  'control-unreachable',
  /** The control server refused a request (not found, full party, rate limited…). */
  'control-refused',
  /** The control server answered with something that does not fit the protocol. */
  'control-protocol',
  'bad-invite',
  'already-in-party',
  'not-in-party',
  'unknown-relay',
  /** No WireGuard implementation (or helper) on this machine. */
  'no-wireguard',
  /** Not allowed to create or configure the interface. */
  'no-privilege',
  /** Creating or configuring the interface failed for another reason. */
  'wireguard-failed',
  /** The public UDP socket could not be opened. */
  'socket',
  /** A bug: something that should not happen did. */
  'internal',
] as const;

export type LanrageErrorCode = (typeof LANRAGE_ERROR_CODES)[number];

export class LanrageError extends Error {
  readonly code: LanrageErrorCode;

  constructor(code: LanrageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LanrageError';
    this.code = code;
  }
}

/** What a window or a notification says for each code (the error's message adds the detail). */
export const ERROR_MESSAGES: Record<LanrageErrorCode, string> = {
  'bad-config': 'A setting is not valid.',
  usage: 'That command was not understood.',
  'control-unreachable': 'The LANrage server cannot be reached. Check your internet connection.',
  'control-refused': 'The LANrage server refused the request.',
  'control-protocol': 'The LANrage server answered something this version does not understand.',
  'bad-invite': 'That invite code does not match any party.',
  'already-in-party': 'You are already in a party. Leave it first.',
  'not-in-party': 'You are not in a party.',
  'unknown-relay': 'There is no relay by that name.',
  'no-wireguard': 'WireGuard is not installed on this computer.',
  'no-privilege': 'LANrage is not allowed to create its network interface.',
  'wireguard-failed': 'The LANrage network interface could not be set up.',
  socket: 'LANrage could not open its network port.',
  internal: 'Something went wrong inside LANrage.',
};
