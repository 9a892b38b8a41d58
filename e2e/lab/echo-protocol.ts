import { parseEndpoint, formatEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';
import { parsed, rejected, type ParseResult } from '../../src-shared/protocol/parse-result.js';

/**
 * The lab's STUN-like echo, in JSON so a failing test prints something readable:
 *
 *   request  (player → responder):  {"id":"7","replyFrom":"other-port"}
 *   reply    (responder → player):  {"id":"7","mapped":"198.18.0.101:40000","via":"198.18.0.20:3479"}
 *
 * `mapped` is the source the responder saw (the NAT mapping); `via` is the responder socket that
 * sent the reply. The responder listens on two addresses × two ports (as RFC 5780 STUN does) and
 * `replyFrom` picks which one answers: the same socket, the other port, the other IP, or both —
 * the last three are unsolicited from the NAT's point of view and probe its filtering.
 */
export const REPLY_FROM = ['same', 'other-port', 'other-ip', 'other-both'] as const;
export type ReplyFrom = (typeof REPLY_FROM)[number];

export interface EchoRequest {
  id: string;
  replyFrom: ReplyFrom;
}

export interface EchoReply {
  id: string;
  mapped: Endpoint;
  via: Endpoint;
}

// Requests are tiny; anything larger is not ours and is ignored before JSON.parse.
const MAX_MESSAGE_BYTES = 512;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function parseJsonObject(bytes: Uint8Array): ParseResult<Record<string, unknown>> {
  if (bytes.length > MAX_MESSAGE_BYTES)
    return rejected(`message of ${bytes.length} bytes is too long`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch {
    return rejected('message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return rejected('message is not a JSON object');
  return parsed(value as Record<string, unknown>);
}

export function parseEchoRequest(bytes: Uint8Array): ParseResult<EchoRequest> {
  const object = parseJsonObject(bytes);
  if (!object.ok) return object;
  const { id, replyFrom = 'same' } = object.value;
  if (typeof id !== 'string' || !ID.test(id))
    return rejected('request id must be 1-64 characters of [A-Za-z0-9_-]');
  if (typeof replyFrom !== 'string' || !(REPLY_FROM as readonly string[]).includes(replyFrom)) {
    return rejected(`replyFrom must be one of ${REPLY_FROM.join(', ')}`);
  }
  return parsed({ id, replyFrom: replyFrom as ReplyFrom });
}

export function parseEchoReply(bytes: Uint8Array): ParseResult<EchoReply> {
  const object = parseJsonObject(bytes);
  if (!object.ok) return object;
  const { id, mapped, via } = object.value;
  if (typeof id !== 'string' || !ID.test(id)) return rejected('reply id is missing or malformed');
  if (typeof mapped !== 'string' || typeof via !== 'string')
    return rejected('reply needs "mapped" and "via" endpoints');
  const mappedEndpoint = parseEndpoint(mapped);
  if (!mappedEndpoint.ok) return rejected(`mapped: ${mappedEndpoint.error}`);
  const viaEndpoint = parseEndpoint(via);
  if (!viaEndpoint.ok) return rejected(`via: ${viaEndpoint.error}`);
  return parsed({ id, mapped: mappedEndpoint.value, via: viaEndpoint.value });
}

export function encodeEchoReply(reply: EchoReply): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: reply.id,
      mapped: formatEndpoint(reply.mapped),
      via: formatEndpoint(reply.via),
    }),
  );
}

export function encodeEchoRequest(request: EchoRequest): Buffer {
  return Buffer.from(JSON.stringify(request));
}
