import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';

/**
 * Makes a TCP port inside a lab namespace reachable from this machine's own loopback: each
 * connection to 127.0.0.1:`port` here is piped through a small Node process started inside the
 * namespace, which connects to 127.0.0.1:`targetPort` there. Used by `npm run lab -- --ui` so a
 * browser on the desktop can open one player's web UI. Loopback only, both ends.
 */
const PIPE = `const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
s.on('connect', () => { process.stdin.pipe(s); s.pipe(process.stdout); });
s.on('error', () => process.exit(1)); s.on('close', () => process.exit(0));`;

export async function forwardIntoNamespace(
  ns: string,
  targetPort: number,
  port: number,
): Promise<Server> {
  const server = createServer((socket) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-e', PIPE, String(targetPort)],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    socket.pipe(child.stdin);
    child.stdout.pipe(socket);
    socket.on('error', () => child.kill());
    socket.on('close', () => child.kill());
    child.on('exit', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
