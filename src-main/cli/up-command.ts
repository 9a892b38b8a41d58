import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:net';
import { loadConfigFile, saveConfigFile } from '../core/config/config-loader.js';
import type { ConfigInput } from '../core/config/config-schema.js';
import { LanrageCore } from '../core/lanrage-core.js';
import { createCoreLogger } from '../core/logging/core-logger.js';
import { LanrageError, type LanrageErrorCode } from '../../src-shared/domain/lanrage-error.js';
import { LanrageService } from '../service/lanrage-service.js';
import { LogRing } from '../service/log-ring.js';
import { SettingsStore } from '../service/settings-store.js';
import { parseUiAddress, UiAddressError } from '../web/ui-address.js';
import type { WebUi } from '../web/web-ui-server.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import { startLocalApi } from './local-api-server.js';
import { formatInviteLink } from '../../src-shared/domain/invite-link.js';
import { printableName } from '../../src-shared/domain/display-name.js';
import { LOCAL_SOCKET_NAME } from './local-api-protocol.js';
import { preflight } from './preflight.js';
import { APP_VERSION } from './version.js';

export { EXIT } from './exit-codes.js';

export interface UpOptions {
  configDir: string;
  overrides: ConfigInput;
  create: string | null;
  join: string | null;
  /** `--ui [HOST:]PORT`: serve the web UI there; null: no UI. */
  ui: string | null;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** What a terminal line adds before the detail, by code (the server's own words need context). */
const CLI_CONTEXT: Partial<Record<LanrageErrorCode, string>> = {
  'bad-invite': 'bad invite code',
  'control-unreachable': 'control server',
  'control-refused': 'control server refused',
};

/** The exit code is looked up from the error's code (exit-codes.ts), never from its class. */
function classify(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof UiAddressError) return new CliError(error.message, EXIT.usage);
  if (error instanceof LanrageError) {
    const context = CLI_CONTEXT[error.code];
    const message =
      context && !error.message.startsWith(context)
        ? `${context}: ${error.message}`
        : error.message;
    return new CliError(message, EXIT_CODE_OF[error.code]);
  }
  return new CliError((error as Error).message ?? String(error), EXIT.failure);
}

/** Runs in the foreground until SIGINT/SIGTERM, then leaves cleanly. Resolves with the exit code. */
export async function upCommand(options: UpOptions): Promise<number> {
  const configPath = join(options.configDir, 'config.json');
  let core: LanrageCore | null = null;
  let api: Server | null = null;
  let web: WebUi | null = null;
  let service: LanrageService | null = null;
  try {
    const config = loadConfigFile(configPath, options.overrides);
    const uiAddress = options.ui === null ? null : parseUiAddress(options.ui);
    await preflight({ helperPath: config.helperPath, helperElevation: config.helperElevation });
    const logs = new LogRing();
    const logger = createCoreLogger({
      level: config.logLevel,
      configDir: options.configDir,
      ring: logs.stream,
    });
    // The helper dying takes the tunnel with it: `up` ends with an error instead of lingering.
    let fatal: LanrageError | null = null;
    let onFatal: () => void = () => {};
    const fatalSeen = new Promise<void>((resolve) => (onFatal = resolve));
    const running = (service = new LanrageService({
      info: { name: 'LANrage', version: APP_VERSION, platform: process.platform, mode: 'web' },
      settings: new SettingsStore(configPath, config, options.overrides),
      logs,
      // Without a UI, `lanrage leave` ends `lanrage up`, as it always has; with one, the user
      // may create or join another party from the browser.
      onLeft: () => {
        if (uiAddress === null) process.kill(process.pid, 'SIGTERM');
      },
    }));
    core = await LanrageCore.start({
      config,
      configDir: options.configDir,
      logger,
      onStatus: (status) => running.coreStatusChanged(status),
      onFatal: (error) => {
        fatal = error;
        onFatal();
      },
      onPinnedRelay: (id) =>
        saveConfigFile(configPath, { ...loadConfigFile(configPath), pinnedRelay: id }),
    });
    service.attach(core);
    const apiLog = logger.child({ area: 'api' });
    api = await startLocalApi(join(options.configDir, LOCAL_SOCKET_NAME), service.handlers, apiLog);
    if (uiAddress !== null) {
      // Loaded only for --ui: the web server and its WebSocket server are no part of a plain
      // `up`, whose start is on the way to every join's first ping (issue #7).
      const { startWebUi } = await import('../web/web-ui-server.js');
      web = await startWebUi({
        address: uiAddress,
        rendererDir: rendererDir(),
        handlers: service.handlers,
        subscribe: (publish) => running.subscribe(publish),
        greet: (publish) => {
          publish('app:state', running.currentState());
          if (core) publish('party:status', core.status());
        },
        logger: logger.child({ area: 'web-ui' }),
      });
      if (!uiAddress.loopback) {
        process.stdout.write(
          `Warning: the web UI listens on ${uiAddress.host}, reachable from the network; anyone with the URL controls this LANrage.\n`,
        );
      }
      process.stdout.write(`Web UI: ${web.url}\n`);
    }
    if (options.create !== null) {
      await core.createParty(options.create);
      const party = core.status().party!;
      process.stdout.write(
        `Party "${printableName(party.name)}" created. Invite code: ${party.inviteCode}\n`,
      );
      // The link pins the control server's certificate for whoever joins with it.
      const link = formatInviteLink({
        code: party.inviteCode,
        controlUrl: config.controlUrl,
        fingerprint: core.controlFingerprint,
      });
      process.stdout.write(`Invite link: ${link}\n`);
    } else if (options.join !== null) {
      await core.joinParty(options.join);
      process.stdout.write(`Joined party "${printableName(core.status().party!.name)}".\n`);
    }
    if (core.status().party !== null) {
      process.stdout.write(
        `Virtual IP ${core.status().self.virtualIp ?? '-'}. Ctrl-C leaves the party.\n`,
      );
    } else {
      process.stdout.write(
        web
          ? 'Not in a party yet: create or join one in the web UI. Ctrl-C stops LANrage.\n'
          : 'Not in a party yet (no --create, --join or --ui). Ctrl-C stops LANrage.\n',
      );
    }
    await Promise.race([
      fatalSeen,
      new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      }),
    ]);
    if (fatal !== null) throw fatal;
    process.stdout.write('Leaving…\n');
    return EXIT.ok;
  } catch (error) {
    const cli = classify(error);
    process.stderr.write(`lanrage: ${cli.message}\n`);
    return cli.exitCode;
  } finally {
    service?.stop();
    await web?.close();
    api?.close();
    await core
      ?.stop()
      .catch((e: Error) => process.stderr.write(`lanrage: clean-up failed: ${e.message}\n`));
  }
}

/** The built renderer beside this bundle: dist/cli/lanrage.js → dist/renderer/. */
function rendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}
