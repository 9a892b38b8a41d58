import net from 'node:net';
import stun, { type StunAddress } from 'stun';
import type { Endpoint } from '../../../src-shared/domain/endpoint.js';
import { parsed, rejected, type ParseResult } from '../../../src-shared/protocol/parse-result.js';
import {
  parseStunFrame,
  STUN_METHOD_BINDING,
  type StunRawAttribute,
} from '../../../src-shared/protocol/stun-framing.js';

/**
 * The client's side of a Binding transaction: the request it sends and the response it trusts.
 * Encoding and attribute decoding go through the `stun` package; framing is checked first by
 * stun-framing.ts, and ERROR-CODE is read here from raw bytes because the package decodes it
 * wrongly (class × (number + 100): a 420 reads back as 480).
 *
 * Address attributes (MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS):
 *
 *    0                   1                   2                   3
 *   |0 0 0 0 0 0 0 0|    Family     |           Port                |
 *   |          Address (32 bits IPv4 / 128 bits IPv6)               |
 *
 * ERROR-CODE: | reserved (21 bits) | Class (3) | Number (8) | Reason phrase (UTF-8) … |
 */

export interface ChangeRequest {
  changeIp: boolean;
  changePort: boolean;
}

export type BindingResponse =
  | {
      kind: 'success';
      transactionId: Uint8Array;
      mapped: Endpoint;
      /** RFC 5780: where the server says the answer left from. */
      responseOrigin: Endpoint | null;
      /** RFC 5780: the server's other IP and port, present only on servers that do the tests. */
      otherAddress: Endpoint | null;
    }
  | {
      kind: 'error';
      transactionId: Uint8Array;
      code: number;
      reason: string;
      unknownAttributes: number[];
    };

const { constants: C } = stun;
const ADDRESS_VALUE_BYTES: Record<number, number> = { 1: 8, 2: 20 };

export function encodeBindingRequest(
  transactionId: Uint8Array,
  change: ChangeRequest = { changeIp: false, changePort: false },
): Buffer {
  const message = stun.createMessage(C.STUN_BINDING_REQUEST, Buffer.from(transactionId));
  const flags = (change.changeIp ? 0x4 : 0) | (change.changePort ? 0x2 : 0);
  // Sent only when asking for a change: a plain RFC 5389 server answers 420 to the attribute.
  if (flags !== 0) message.addAttribute(C.STUN_ATTR_CHANGE_REQUEST, flags);
  return message.toBuffer();
}

/** Parses an untrusted datagram as a Binding response. Never throws. */
export function parseBindingResponse(data: Uint8Array): ParseResult<BindingResponse> {
  const frame = parseStunFrame(data);
  if (!frame.ok) return frame;
  const { method, messageClass, transactionId, attributes } = frame.value;
  if (method !== STUN_METHOD_BINDING) return rejected(`STUN method ${method} is not Binding`);
  if (messageClass === 'error') return parseErrorResponse(transactionId, attributes);
  if (messageClass !== 'success') return rejected(`a Binding ${messageClass} is not a response`);

  for (const attribute of attributes) {
    const isAddress =
      attribute.type === C.STUN_ATTR_XOR_MAPPED_ADDRESS ||
      attribute.type === C.STUN_ATTR_MAPPED_ADDRESS ||
      attribute.type === C.STUN_ATTR_RESPONSE_ORIGIN ||
      attribute.type === C.STUN_ATTR_OTHER_ADDRESS;
    // The package reads the family byte but not whether the length fits it.
    if (isAddress && ADDRESS_VALUE_BYTES[attribute.value[1] ?? 0] !== attribute.value.length) {
      return rejected(`address attribute 0x${attribute.type.toString(16)} is malformed`);
    }
  }
  let message;
  try {
    message = stun.decode(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    return rejected(`undecodable attribute: ${(error as Error).message}`);
  }
  const mapped = toEndpoint(message.getXorAddress()) ?? toEndpoint(message.getAddress());
  if (mapped === null) return rejected('Binding response has no usable (XOR-)MAPPED-ADDRESS');
  return parsed({
    kind: 'success',
    transactionId,
    mapped,
    responseOrigin: toEndpoint(message.getAttribute(C.STUN_ATTR_RESPONSE_ORIGIN)?.value),
    otherAddress: toEndpoint(message.getAttribute(C.STUN_ATTR_OTHER_ADDRESS)?.value),
  });
}

function parseErrorResponse(
  transactionId: Uint8Array,
  attributes: StunRawAttribute[],
): ParseResult<BindingResponse> {
  const raw = attributes.find((a) => a.type === C.STUN_ATTR_ERROR_CODE)?.value;
  if (raw === undefined || raw.length < 4)
    return rejected('error response without a valid ERROR-CODE');
  const errorClass = raw[2]! & 0x07;
  const number = raw[3]!;
  if (errorClass < 3 || errorClass > 6 || number > 99) {
    return rejected(`ERROR-CODE class ${errorClass} number ${number} is out of range`);
  }
  const unknownRaw = attributes.find((a) => a.type === C.STUN_ATTR_UNKNOWN_ATTRIBUTES)?.value;
  const unknownAttributes: number[] = [];
  for (let i = 0; unknownRaw !== undefined && i + 1 < unknownRaw.length; i += 2) {
    unknownAttributes.push((unknownRaw[i]! << 8) | unknownRaw[i + 1]!);
  }
  return parsed({
    kind: 'error',
    transactionId,
    code: errorClass * 100 + number,
    reason: new TextDecoder('utf-8', { fatal: false }).decode(raw.subarray(4)).slice(0, 128),
    unknownAttributes,
  });
}

function toEndpoint(value: unknown): Endpoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const { address, port } = value as Partial<StunAddress>;
  if (typeof address !== 'string' || net.isIP(address) === 0) return null;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: address, port };
}
