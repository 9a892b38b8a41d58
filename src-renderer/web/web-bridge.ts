import type { EventChannel, InvokeChannel, LanrageBridge } from '../../src-shared/ipc/contract';
import { createBridge } from '../../src-shared/ipc/create-bridge';
import { CoreFrameSchema, WEB_BRIDGE_PATH } from '../../src-shared/ipc/web-bridge-frames';

/**
 * Web mode: the contract over the loopback WebSocket `lanrage up --ui` serves. The token comes
 * from the URL fragment LANrage printed; it is moved to sessionStorage and removed from the
 * address bar, so a screenshot or a shared link does not carry it.
 */
const TOKEN_KEY = 'lanrage.token';
/** After the connection drops, how long to wait before trying again (the core may be restarting). */
export const RECONNECT_DELAY_MS = 2_000;
/** A call the core has not answered in this long fails with a message instead of hanging. */
export const CALL_TIMEOUT_MS = 30_000;

export function webToken(): string | null {
  const fromHash = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)?.[1] ?? null;
  if (fromHash !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export interface WebLink {
  bridge: LanrageBridge;
  /** Told when the socket opens (true) or drops (false). */
  onLink(listener: (up: boolean) => void): void;
}

export function connectWebBridge(token: string): WebLink {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const pending = new Map<number, { resolve: (v: unknown) => void; timer: number }>();
  const linkListeners = new Set<(up: boolean) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let queue: string[] = [];

  const open = () => {
    const url = new URL(WEB_BRIDGE_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', token);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      for (const frame of queue) ws.send(frame);
      queue = [];
      linkListeners.forEach((l) => l(true));
    };
    ws.onmessage = (message) => {
      let json: unknown;
      try {
        json = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const frame = CoreFrameSchema.safeParse(json, { jitless: true });
      if (!frame.success) return;
      if (frame.data.t === 'result') {
        const call = pending.get(frame.data.id);
        if (!call) return;
        pending.delete(frame.data.id);
        clearTimeout(call.timer);
        call.resolve(frame.data.outcome);
      } else {
        const { channel, payload } = frame.data;
        listeners.get(channel)?.forEach((l) => l(payload));
      }
    };
    ws.onclose = () => {
      socket = null;
      for (const [id, call] of pending) {
        clearTimeout(call.timer);
        call.resolve({
          ok: false,
          error: { code: 'unavailable', message: 'The connection to LANrage was lost.' },
        });
        pending.delete(id);
      }
      linkListeners.forEach((l) => l(false));
      setTimeout(open, RECONNECT_DELAY_MS);
    };
  };
  open();

  const bridge = createBridge({
    invoke: (channel: InvokeChannel, request: unknown) =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = window.setTimeout(() => {
          pending.delete(id);
          resolve({
            ok: false,
            error: { code: 'unavailable', message: 'LANrage did not answer in time.' },
          });
        }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
        const frame = JSON.stringify({ t: 'invoke', id, channel, request });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      }),
    subscribe: (channel: EventChannel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  });
  return { bridge, onLink: (listener) => linkListeners.add(listener) };
}
