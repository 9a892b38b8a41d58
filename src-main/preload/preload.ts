import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBridge } from '../../src-shared/ipc/create-bridge.js';

/**
 * The preload: exposes exactly the IPC contract as `window.lanrage`, one frozen object with a
 * namespace per area (src-shared/ipc/contract.ts). No ipcRenderer, no Node, nothing else — the
 * page cannot name a channel, only call the methods the contract derives.
 * Runs sandboxed, so scripts/build.mjs bundles it (zod included) into one CommonJS file.
 */
const bridge = createBridge(
  {
    invoke: (channel, request) => ipcRenderer.invoke(channel, request),
    subscribe: (channel, listener) => {
      // The event object carries the sender; the page gets the payload only.
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, forward);
      return () => ipcRenderer.removeListener(channel, forward);
    },
  },
  { onContractViolation: (message) => console.error(`[lanrage preload] ${message}`) },
);

contextBridge.exposeInMainWorld('lanrage', bridge);
