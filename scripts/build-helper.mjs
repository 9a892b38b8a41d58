// Builds the WireGuard helper (helper/, Go) with the Go toolchain: the binary for this machine in
// dist/helper/, and with `targets: 'all'` one per packaged OS/arch in dist/helper/<os>-<arch>/
// (the names electron-builder's ${os}/${arch} macros give, see electron-builder.yml). Cross
// builds keep the Windows (wintun) and macOS code honest: a break there fails the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The go directive of helper/go.mod; older toolchains cannot build the module. */
export const GO_REQUIREMENT = 'Go 1.24 or newer (https://go.dev/dl/)';
/** Debian/Ubuntu images often have Go here without it being on PATH. */
const GO_FALLBACKS = ['/usr/local/go/bin/go'];

/** Every OS/arch a package ships, keyed by electron-builder's names. */
export const HELPER_TARGETS = [
  { dir: 'linux-x64', goos: 'linux', goarch: 'amd64', exe: 'lanrage-helper' },
  { dir: 'linux-arm64', goos: 'linux', goarch: 'arm64', exe: 'lanrage-helper' },
  { dir: 'win-x64', goos: 'windows', goarch: 'amd64', exe: 'lanrage-helper.exe' },
  { dir: 'mac-x64', goos: 'darwin', goarch: 'amd64', exe: 'lanrage-helper' },
  { dir: 'mac-arm64', goos: 'darwin', goarch: 'arm64', exe: 'lanrage-helper' },
];

/** The go binary: `go` on PATH, else a known install location; null when there is none. */
export function findGo() {
  const onPath = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'go';
  return GO_FALLBACKS.find((path) => existsSync(path)) ?? null;
}

function goBuild(go, root, out, env) {
  const result = spawnSync(
    go,
    ['build', '-trimpath', '-ldflags=-s -w', '-o', out, './cmd/lanrage-helper'],
    {
      cwd: join(root, 'helper'),
      // CGO off: a static binary that runs on any Linux, and cross builds need no C toolchain.
      env: { ...process.env, CGO_ENABLED: '0', ...env },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    const target = env.GOOS ? `${env.GOOS}/${env.GOARCH}` : 'this machine';
    throw new Error(`go build of the helper for ${target} failed:\n${result.stderr}`);
  }
}

/**
 * Builds dist/helper/lanrage-helper[.exe] and, with targets 'all', every HELPER_TARGETS entry.
 * Returns the outputs relative to dist.
 */
export function buildHelper(root, dist, { targets = 'native' } = {}) {
  const go = findGo();
  if (!go) {
    throw new Error(
      `building the WireGuard helper (helper/) needs ${GO_REQUIREMENT}: no \`go\` on PATH`,
    );
  }
  mkdirSync(join(dist, 'helper'), { recursive: true });
  const nativeExe = process.platform === 'win32' ? 'lanrage-helper.exe' : 'lanrage-helper';
  goBuild(go, root, join(dist, 'helper', nativeExe), {});
  const outputs = [`helper/${nativeExe}`];
  if (targets === 'all') {
    for (const t of HELPER_TARGETS) {
      goBuild(go, root, join(dist, 'helper', t.dir, t.exe), { GOOS: t.goos, GOARCH: t.goarch });
      outputs.push(`helper/${t.dir}/${t.exe}`);
    }
  }
  return outputs;
}
