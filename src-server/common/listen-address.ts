import { parseEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';

/** Parses a `--listen host:port` flag or exits the CLI with a message naming the flag. */
export function listenAddressOrExit(
  flag: string,
  value: string | undefined,
  fallback: string,
): Endpoint {
  const text = value ?? fallback;
  // Port 0 asks the OS for a free port (tests, benches); parseEndpoint refuses it for peers.
  const anyPort = /:0$/.test(text);
  const result = parseEndpoint(anyPort ? `${text.slice(0, -2)}:1` : text, { allowHostname: true });
  if (!result.ok) {
    process.stderr.write(`error: ${flag} ${text}: ${result.error}\n`);
    process.exit(2);
  }
  return anyPort ? { ...result.value, port: 0 } : result.value;
}

export const DEV_RELAY_SECRET = 'lanrage-development-secret-not-for-production';

/** The relay-token secret from LANRAGE_RELAY_SECRET, or a throwaway one with --dev. */
export function relaySecretOrExit(dev: boolean, log: (line: string) => void): Buffer {
  const fromEnv = process.env.LANRAGE_RELAY_SECRET;
  if (fromEnv && fromEnv.length >= 16) return Buffer.from(fromEnv, 'utf8');
  if (fromEnv) {
    process.stderr.write('error: LANRAGE_RELAY_SECRET must be at least 16 characters\n');
    process.exit(2);
  }
  if (dev) {
    // Fixed and public on purpose, so a control server and relays all started with --dev on one
    // machine can work together; it protects nothing, and the log says so.
    log('--dev: using the public development relay secret; anyone can forge route tokens');
    return Buffer.from(DEV_RELAY_SECRET, 'utf8');
  }
  process.stderr.write(
    'error: LANRAGE_RELAY_SECRET is not set. The control server and its relays share it to sign\n' +
      'and check route tokens. Set it (16+ characters) in both, or pass --dev for a throwaway one.\n',
  );
  process.exit(2);
}
