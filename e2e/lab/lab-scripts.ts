import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAB_STATE_DIR } from './delay-link.js';

/**
 * The lab's Node helpers (udp-agent, udp-responder) run as separate processes inside namespaces.
 * Starting them through tsx costs ~0.5 s of compile each; bundling them once with esbuild into
 * .lab-state/js (gitignored, keyed by a hash of the sources) makes a start ~0.1 s, which is most
 * of a lab test's run time.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const BUNDLE_DIR = join(LAB_STATE_DIR, 'js');
const bundles = new Map<string, Promise<string>>();
/** Sources a helper imports beyond the common ones, so a change to them rebuilds it. */
const EXTRA_INPUTS: Record<string, string[]> = {
  'port-mapping-probe.ts': [
    'nat-pmp-codec.ts',
    'nat-pmp-client.ts',
    'pcp-codec.ts',
    'pcp-client.ts',
    'gateway-exchange.ts',
    'mapping-protocol.ts',
    'upnp-client.ts',
    'upnp-description.ts',
    'ssdp-search.ts',
  ].map((f) => `../../src-main/core/portmap/${f}`),
};

async function bundle(entry: string): Promise<string> {
  // Hash the entry and the modules it imports (the lab's protocol and shared endpoint parser).
  const inputs = [
    entry,
    'echo-protocol.ts',
    'teeworlds-lan-query.ts',
    '../../src-shared/domain/endpoint.ts',
    '../../src-shared/protocol/parse-result.ts',
    ...(EXTRA_INPUTS[entry] ?? []),
  ];
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(await readFile(join(HERE, input)));
  const out = join(
    BUNDLE_DIR,
    `${entry.replace(/\.ts$/, '')}-${hash.digest('hex').slice(0, 12)}.mjs`,
  );
  if (
    await access(out).then(
      () => true,
      () => false,
    )
  )
    return out;
  await mkdir(BUNDLE_DIR, { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(HERE, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: temp,
    logLevel: 'error',
  });
  await rename(temp, out);
  return out;
}

/** Path of a ready-to-run bundle of one of the lab's helper scripts. */
export function labScript(
  entry: 'udp-agent.ts' | 'udp-responder.ts' | 'discovery-probe.ts' | 'port-mapping-probe.ts',
): Promise<string> {
  let pending = bundles.get(entry);
  if (!pending) {
    pending = bundle(entry);
    bundles.set(entry, pending);
  }
  return pending;
}
