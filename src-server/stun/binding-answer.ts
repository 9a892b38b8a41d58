import stun from 'stun';
import type { Endpoint } from '../../src-shared/domain/endpoint.js';
import {
  isComprehensionRequired,
  parseStunFrame,
  STUN_METHOD_BINDING,
} from '../../src-shared/protocol/stun-framing.js';

/**
 * What the server does with one datagram: drop it, or answer it from one of its sockets.
 * Pure (no sockets), so the fuzz test can throw millions of bytes at it cheaply.
 *
 * RFC 5780 §6.1, Table 1 — the four transport addresses, for a request received on Da:Dp, with
 * C the other IP and the other port of the server:
 *
 *   CHANGE-REQUEST flags      answer leaves from   OTHER-ADDRESS
 *   none                      Da:Dp                Ca:Cp
 *   change IP   (0x4)         Ca:Dp                Ca:Cp
 *   change port (0x2)         Da:Cp                Ca:Cp
 *   change IP + change port   Ca:Cp                Ca:Cp
 *
 * CHANGE-REQUEST value: 32 bits, 0 … 0 A B 0, A = change IP, B = change port (RFC 5780 §7.2).
 *
 * The `stun` package encodes the answer (MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN,
 * OTHER-ADDRESS, ERROR-CODE, UNKNOWN-ATTRIBUTES all encode correctly). What it lacks, and this
 * module adds: strict framing before anything is read, the CHANGE-REQUEST routing of Table 1,
 * and the 420 answers RFC 5389 §7.3.1 and RFC 5780 §6.1 require.
 */

/** Which of the server's IPs ('p'rimary/'a'lternate) and which of its ports a socket has. */
export type SocketRole = 'pp' | 'pa' | 'ap' | 'aa';

const CHANGE_IP_FLAG = 0x4;
const CHANGE_PORT_FLAG = 0x2;

export type BindingAnswer =
  | { kind: 'drop'; reason: 'malformed' | 'ignored'; detail: string }
  | { kind: 'reply'; via: SocketRole; bytes: Buffer; errorCode: number | null };

export interface BindingContext {
  receivedOn: SocketRole;
  from: Endpoint;
  /** Bound address of each socket; only 'pp' without --alternate. */
  addresses: Partial<Record<SocketRole, Endpoint>>;
  /** RFC 5780 mode: all four sockets are bound. */
  rfc5780: boolean;
  /** False when listening on a wildcard address: the answer's source IP is then not ours to name. */
  originKnown: boolean;
}

const { constants: C } = stun;

export function answerBinding(data: Uint8Array, ctx: BindingContext): BindingAnswer {
  const frame = parseStunFrame(data);
  if (!frame.ok) return { kind: 'drop', reason: 'malformed', detail: frame.error };
  const { method, messageClass, transactionId, attributes } = frame.value;
  if (method !== STUN_METHOD_BINDING || messageClass !== 'request') {
    // Indications need no answer, responses are not ours, and other methods (TURN…) are not
    // served: answering them would only hand an attacker bytes.
    return { kind: 'drop', reason: 'ignored', detail: `method ${method} ${messageClass}` };
  }
  const txid = Buffer.from(transactionId);

  const unknown: number[] = [];
  let changeRequest: Uint8Array | null = null;
  for (const attribute of attributes) {
    if (attribute.type === C.STUN_ATTR_CHANGE_REQUEST && ctx.rfc5780) {
      changeRequest = attribute.value;
    } else if (isComprehensionRequired(attribute.type) && !unknown.includes(attribute.type)) {
      // Includes CHANGE-REQUEST without --alternate: RFC 5780 §6.1, "If the Request contains the
      // CHANGE-REQUEST attribute and the server does not have an alternate address and port as
      // described above, the server MUST generate an error response of type 420."
      // Also RESPONSE-PORT, PADDING, USERNAME, MESSAGE-INTEGRITY: not implemented here, so they
      // get a 420 rather than an answer that pretends to honour them (RFC 5389 §7.3.1).
      unknown.push(attribute.type);
    }
  }
  if (unknown.length > 0) {
    const reply = stun.createMessage(C.STUN_BINDING_ERROR_RESPONSE, txid);
    reply.addError(C.STUN_CODE_UNKNOWN_ATTRIBUTE);
    reply.addUnknownAttributes(unknown);
    return { kind: 'reply', via: ctx.receivedOn, bytes: reply.toBuffer(), errorCode: 420 };
  }

  let flags = 0;
  if (changeRequest !== null) {
    if (changeRequest.length !== 4) {
      const reply = stun.createMessage(C.STUN_BINDING_ERROR_RESPONSE, txid);
      reply.addError(C.STUN_CODE_BAD_REQUEST, 'CHANGE-REQUEST must be 4 bytes');
      return { kind: 'reply', via: ctx.receivedOn, bytes: reply.toBuffer(), errorCode: 400 };
    }
    flags = changeRequest[3]!;
  }
  const via = changedRole(
    ctx.receivedOn,
    (flags & CHANGE_IP_FLAG) !== 0,
    (flags & CHANGE_PORT_FLAG) !== 0,
  );
  const origin = ctx.addresses[via];
  if (origin === undefined) {
    // Only reachable if a caller claims rfc5780 without binding all four sockets.
    return { kind: 'drop', reason: 'ignored', detail: `no socket bound for role ${via}` };
  }

  const mapped = unmapIpv4(ctx.from);
  const reply = stun.createMessage(C.STUN_BINDING_RESPONSE, txid);
  reply.addXorAddress(mapped.host, mapped.port);
  // RFC 5780 §6.1: "The server MUST include both MAPPED-ADDRESS and XOR-MAPPED-ADDRESS"; old
  // RFC 3489-era clients read only MAPPED-ADDRESS.
  reply.addAddress(mapped.host, mapped.port);
  if (ctx.originKnown) reply.addAttribute(C.STUN_ATTR_RESPONSE_ORIGIN, origin.host, origin.port);
  if (ctx.rfc5780) {
    const other = ctx.addresses[changedRole(ctx.receivedOn, true, true)];
    if (other !== undefined) reply.addAttribute(C.STUN_ATTR_OTHER_ADDRESS, other.host, other.port);
  }
  // RFC 5389 §7.3: a client that uses FINGERPRINT (ICE agents demultiplexing STUN from media)
  // expects it back; it must stay the last attribute.
  if (attributes.some((a) => a.type === C.STUN_ATTR_FINGERPRINT)) reply.addFingerprint();
  return { kind: 'reply', via, bytes: reply.toBuffer(), errorCode: null };
}

export function changedRole(role: SocketRole, changeIp: boolean, changePort: boolean): SocketRole {
  const ip = changeIp ? (role[0] === 'p' ? 'a' : 'p') : role[0];
  const port = changePort ? (role[1] === 'p' ? 'a' : 'p') : role[1];
  return `${ip}${port}` as SocketRole;
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; the peer's NAT mapping is IPv4. */
function unmapIpv4(endpoint: Endpoint): Endpoint {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(endpoint.host);
  return match ? { host: match[1]!, port: endpoint.port } : endpoint;
}
