// Shared by the bin/ shims: run a built bundle from dist/, or say plainly that it is not built.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * @param {string} command the name the user typed (for the message)
 * @param {string} bundle path under dist/, e.g. "server/lanrage-relay.js"
 */
export async function loadBundle(command, bundle) {
  const path = fileURLToPath(new URL(`../dist/${bundle}`, import.meta.url));
  if (!existsSync(path)) {
    process.stderr.write(
      `${command}: dist/${bundle} is missing — run \`npm run build\` first (in ${fileURLToPath(new URL('..', import.meta.url))}).\n`,
    );
    process.exit(1);
  }
  // The bundle starts its program when imported, with this process's argv and environment.
  await import(pathToFileURL(path).href);
}
