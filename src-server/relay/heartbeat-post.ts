import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { pinMismatch } from '../../src-common/tls/certificate-fingerprint.js';

/**
 * One POST of a signed heartbeat to the control server, over http or https. With a pin (the
 * control server's self-signed certificate fingerprint, --control-fingerprint), the certificate
 * is checked against it instead of the CA store; without one, https is checked the usual way.
 * The body is HMAC-signed and holds nothing secret, so the pin guards the answer's authenticity.
 */
export function postHeartbeat(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { pin: string | null; signal: AbortSignal },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        signal: options.signal,
        ...(secure && options.pin !== null && { rejectUnauthorized: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    if (secure && options.pin !== null) {
      const pin = options.pin;
      req.once('socket', (socket) => {
        (socket as TLSSocket).once('secureConnect', () => {
          const problem = pinMismatch(socket as TLSSocket, pin, 'the control server');
          if (problem) req.destroy(new Error(problem));
        });
      });
    }
    req.on('error', reject);
    req.end(body);
  });
}
