/**
 * Types for the parts of `stun` 2.1 (CommonJS, ships no types) that LANrage uses.
 * Written from the package's source (src/index.js and src/node_modules/**), not guessed.
 *
 * Known gaps of the package, filled in our code:
 * - ERROR-CODE is decoded as class × (number + 100) instead of class × 100 + number, so 420 reads
 *   back as 480 (attributes/stun-error-code-attribute.js `from`); our client reads it from raw bytes.
 * - decode() trusts the header length and throws on short input, accepts a missing magic cookie
 *   and a length that disagrees with the datagram; we check framing first (stun-framing.ts).
 * - No RFC 5780 server behaviour (CHANGE-REQUEST routing, OTHER-ADDRESS, RESPONSE-ORIGIN):
 *   the attributes themselves encode and decode fine (0x0003 as uint32, 0x802B/0x802C as
 *   addresses); the behaviour is src-server/stun/binding-answer.ts.
 */
declare module 'stun' {
  import type { Socket } from 'node:dgram';
  import type { EventEmitter } from 'node:events';

  export interface StunAddress {
    address: string;
    port: number;
    family: 'IPv4' | 'IPv6';
  }

  export interface StunErrorValue {
    code: number;
    reason: string;
  }

  export interface StunAttribute {
    readonly type: number;
    /** Address attributes: StunAddress; uint32: number; byte strings: Buffer; see lib/attributes.js. */
    readonly value: unknown;
  }

  export class StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    readonly count: number;
    isLegacy(): boolean;
    getAttribute(type: number): StunAttribute | undefined;
    hasAttribute(type: number): boolean;
    [Symbol.iterator](): Iterator<StunAttribute>;
  }

  /** An outgoing message (what createMessage returns). */
  export class StunRequest extends StunMessage {
    setType(type: number): void;
    setTransactionId(transactionId: Buffer): boolean;
    /** Returns undefined when the message already has an attribute of that type. */
    addAttribute(type: number, ...values: unknown[]): StunAttribute | undefined;
    removeAttribute(type: number): StunAttribute | undefined;
    addAddress(address: string, port: number): StunAttribute | undefined;
    addXorAddress(address: string, port: number): StunAttribute | undefined;
    addAlternateServer(address: string, port: number): StunAttribute | undefined;
    /** Only on error-response types; throws outside 300-699. */
    addError(code: number, reason?: string): StunAttribute | undefined;
    addUnknownAttributes(types: number[]): StunAttribute | undefined;
    addSoftware(software: string): StunAttribute | undefined;
    addFingerprint(): boolean;
    toBuffer(): Buffer;
  }

  /** An incoming message (what decode returns). */
  export class StunResponse extends StunMessage {
    getAddress(): StunAddress | undefined;
    getXorAddress(): StunAddress | undefined;
    getAlternateServer(): StunAddress | undefined;
    /** Wrong for most codes (see the note at the top of this file). */
    getError(): StunErrorValue | undefined;
    getSoftware(): string | undefined;
    getUnknownAttributes(): number[] | undefined;
  }

  export interface StunServer extends EventEmitter {
    listen(port: number, address?: string, callback?: () => void): void;
    send(message: StunRequest, port: number, address: string, callback?: () => void): boolean;
    close(): void;
  }

  export interface RequestOptions {
    server?: StunServer;
    socket?: Socket;
    message?: StunRequest;
    /** Initial RTO, ms (default 500). */
    timeout?: number;
    maxTimeout?: number;
    retries?: number;
  }

  export interface StunConstants {
    readonly STUN_BINDING_REQUEST: number;
    readonly STUN_BINDING_INDICATION: number;
    readonly STUN_BINDING_RESPONSE: number;
    readonly STUN_BINDING_ERROR_RESPONSE: number;
    readonly STUN_CODE_BAD_REQUEST: number;
    readonly STUN_CODE_UNKNOWN_ATTRIBUTE: number;
    readonly STUN_ATTR_MAPPED_ADDRESS: number;
    readonly STUN_ATTR_XOR_MAPPED_ADDRESS: number;
    readonly STUN_ATTR_ERROR_CODE: number;
    readonly STUN_ATTR_UNKNOWN_ATTRIBUTES: number;
    readonly STUN_ATTR_SOFTWARE: number;
    readonly STUN_ATTR_FINGERPRINT: number;
    readonly STUN_ATTR_CHANGE_REQUEST: number;
    readonly STUN_ATTR_RESPONSE_PORT: number;
    readonly STUN_ATTR_PADDING: number;
    readonly STUN_ATTR_RESPONSE_ORIGIN: number;
    readonly STUN_ATTR_OTHER_ADDRESS: number;
    readonly STUN_EVENT_BINDING_REQUEST: string;
    readonly STUN_EVENT_BINDING_RESPONSE: string;
    readonly [name: string]: number | string;
  }

  interface Stun {
    createMessage(type: number, transactionId?: Buffer): StunRequest;
    createTransaction(): Buffer;
    /** Throws on malformed input. */
    decode(message: Buffer): StunResponse;
    encode(message: StunMessage): Buffer;
    /** Binding request with retransmissions; url like "stun://127.0.0.1:3478". */
    request(url: string, options?: RequestOptions): Promise<StunResponse>;
    createServer(options: { type: 'udp4' | 'udp6'; socket?: Socket }): StunServer;
    validateFingerprint(message: StunMessage): boolean;
    constants: StunConstants;
  }

  const stun: Stun;
  export default stun;
}
