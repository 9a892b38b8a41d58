import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The control server's TLS certificate when the operator gives none: made once (a self-signed
 * P-256 certificate, by Debian's `openssl`, since Node can verify certificates but not make
 * them) and kept beside the database, so its fingerprint — what clients pin, printed at start and
 * carried in invite links — stays the same across restarts. An operator with a CA-signed
 * certificate passes --tls-cert/--tls-key instead; clients then need no pin at all.
 */

/** Owner read/write only: the key lets anyone impersonate this server. */
const KEY_FILE_MODE = 0o600;
/** Ten years: the pin, not the expiry, is what clients check; renewing would change the pin. */
const CERT_DAYS = 3650;

export interface CertificateFiles {
  cert: Buffer;
  key: Buffer;
  created: boolean;
}

export function loadOrCreateCertificate(certPath: string, keyPath: string): CertificateFiles {
  if (existsSync(certPath) && existsSync(keyPath)) {
    chmodSync(keyPath, KEY_FILE_MODE);
    return { cert: readFileSync(certPath), key: readFileSync(keyPath), created: false };
  }
  // Made in a private temporary directory, then moved into place: a crash half-way leaves no
  // half-written key behind, and the key is never readable by others, even for a moment.
  const work = mkdtempSync(join(dirname(keyPath), '.tls-'));
  try {
    const tmpKey = join(work, 'key.pem');
    const tmpCert = join(work, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          String(CERT_DAYS),
          '-subj',
          '/CN=lanrage-control',
          '-keyout',
          tmpKey,
          '-out',
          tmpCert,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENSSL_CONF: '' } },
      );
    } catch (error) {
      const why = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
      throw new Error(
        `cannot create a TLS certificate with openssl (${why || 'openssl not found'}); install openssl, or pass --tls-cert and --tls-key`,
      );
    }
    chmodSync(tmpKey, KEY_FILE_MODE);
    renameSync(tmpKey, keyPath);
    renameSync(tmpCert, certPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), created: true };
}

/** A throwaway certificate in a temporary directory, for tests and benchmarks. */
export function temporaryCertificate(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'lanrage-tls-'));
  try {
    const { cert, key } = loadOrCreateCertificate(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    return { cert, key };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
