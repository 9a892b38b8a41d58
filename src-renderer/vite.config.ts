import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The renderer build: src-renderer → dist/renderer. `base: './'` because Electron loads the page
 * from a file: URL (and web mode serves it from any path), so asset links must be relative.
 */
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  // No public/ folder: everything the page loads goes through the bundle (and the CSP's 'self').
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron 38 ships Chromium 140; web mode targets current browsers.
    target: 'chrome120',
    sourcemap: true,
    // The polyfill is an inline-free module either way, but current Chromium needs none.
    modulePreload: { polyfill: false },
  },
});
