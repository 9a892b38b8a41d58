import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared byte examples of the helper protocol (helper/testdata/protocol-vectors.json), read
 * by the TypeScript tests exactly as the Go tests read them. Test-only.
 */
export interface FrameVector {
  name: string;
  type: 'request' | 'response' | 'event' | 'datagram' | 'send' | 'probe-send' | 'probe-datagram';
  /** The probe socket of probe-send / probe-datagram frames. */
  socket?: number;
  hex: string;
  json?: unknown;
  address?: { family: number; host: string; port: number };
  ttl?: number;
  payloadHex?: string;
}

export interface BadFrameVector {
  name: string;
  hex: string;
  error: string;
  fatal: boolean;
}

export interface RequestVector {
  name: string;
  json: unknown;
  valid?: true;
  error?: string;
}

export interface ProtocolVectors {
  version: number;
  frames: FrameVector[];
  badFrames: BadFrameVector[];
  requests: RequestVector[];
}

const FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'helper',
  'testdata',
  'protocol-vectors.json',
);

export function loadProtocolVectors(): ProtocolVectors {
  return JSON.parse(readFileSync(FILE, 'utf8')) as ProtocolVectors;
}
