import { join } from 'node:path';
import type { Server } from 'node:net';
import { loadConfigFile, saveConfigFile } from '../core/config/config-loader.js';
import type { ConfigInput } from '../core/config/config-schema.js';
import { LanrageCore } from '../core/lanrage-core.js';
import { createCoreLogger } from '../core/logging/core-logger.js';
import { LanrageError, type LanrageErrorCode } from '../../src-shared/domain/lanrage-error.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import { startLocalApi } from './local-api-server.js';
import { formatInviteLink } from '../../src-shared/domain/invite-link.js';
import { printableName } from '../../src-shared/domain/display-name.js';
import { LOCAL_SOCKET_NAME } from './local-api-protocol.js';
import { preflight } from './preflight.js';

export { EXIT } from './exit-codes.js';

export interface UpOptions {
  configDir: string;
  overrides: ConfigInput;
  create: string | null;
  join: string | null;
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
  try {
    const config = loadConfigFile(configPath, options.overrides);
    await preflight({ helperPath: config.helperPath, helperElevation: config.helperElevation });
    const logger = createCoreLogger({ level: config.logLevel, configDir: options.configDir });
    // The helper dying takes the tunnel with it: `up` ends with an error instead of lingering.
    let fatal: LanrageError | null = null;
    let onFatal: () => void = () => {};
    const fatalSeen = new Promise<void>((resolve) => (onFatal = resolve));
    core = await LanrageCore.start({
      config,
      configDir: options.configDir,
      logger,
      onFatal: (error) => {
        fatal = error;
        onFatal();
      },
      onPinnedRelay: (id) =>
        saveConfigFile(configPath, { ...loadConfigFile(configPath), pinnedRelay: id }),
    });
    const running = core;
    api = await startLocalApi(join(options.configDir, LOCAL_SOCKET_NAME), async (request) => {
      switch (request.cmd) {
        case 'status':
          return running.status();
        case 'relays':
          return running.relayStatuses();
        case 'relay.use':
          running.pinRelay(request.id);
          return running.relayStatuses(false);
        case 'relay.auto':
          running.pinRelay(null);
          return running.relayStatuses(false);
        case 'leave':
          await running.leaveParty();
          setImmediate(() => process.kill(process.pid, 'SIGTERM'));
          return { left: true };
      }
    });
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
    process.stdout.write(
      `Virtual IP ${core.status().self.virtualIp ?? '-'}. Ctrl-C leaves the party.\n`,
    );
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
    api?.close();
    await core
      ?.stop()
      .catch((e: Error) => process.stderr.write(`lanrage: clean-up failed: ${e.message}\n`));
  }
}
