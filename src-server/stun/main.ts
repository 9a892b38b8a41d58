import { parseArgs } from 'node:util';
import { formatEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';
import { listenAddressOrExit } from '../common/listen-address.js';
import { createServerLogger } from '../common/logger.js';
import { startStunServer } from './stun-server.js';

/**
 * lanrage-stun --listen ip:port [--alternate ip:port]
 * Prints one line per bound socket on stdout (scripts and the NAT lab read them); logs on stderr.
 */
const USAGE = `usage: lanrage-stun [--listen ip:port] [--alternate ip:port]

  --listen     primary address (default 0.0.0.0:3478)
  --alternate  second IP and port of this host: enables RFC 5780 (OTHER-ADDRESS,
               CHANGE-REQUEST, RESPONSE-ORIGIN) so clients can tell NAT behaviour apart
`;

function main(): void {
  let values: { listen?: string; alternate?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        listen: { type: 'string' },
        alternate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const listen = addressOrExit('--listen', values.listen ?? '0.0.0.0:3478');
  const alternate =
    values.alternate === undefined ? undefined : addressOrExit('--alternate', values.alternate);
  const logger = createServerLogger('stun');

  startStunServer({ listen, alternate, logger }).then(
    (server) => {
      for (const [role, endpoint] of Object.entries(server.sockets)) {
        process.stdout.write(
          `lanrage-stun listening on udp ${formatEndpoint(endpoint)} (${role})\n`,
        );
      }
      if (server.other === null)
        process.stdout.write('lanrage-stun: RFC 5389 only (no --alternate)\n');
      const stop = (signal: string) => {
        logger.info('stopping', { signal, ...server.stats() });
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

/**
 * Like the other servers' --listen, plus port 0 (an ephemeral port, printed once bound): tests and
 * the NAT lab start several STUN servers side by side and read the ports from stdout.
 */
function addressOrExit(flag: string, text: string): Endpoint {
  const ephemeral = /:0$/.test(text);
  const endpoint = listenAddressOrExit(flag, ephemeral ? text.replace(/:0$/, ':1') : text, text);
  return ephemeral ? { host: endpoint.host, port: 0 } : endpoint;
}

main();
