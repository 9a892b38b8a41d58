#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigInput } from '../core/config/config-schema.js';
import { defaultConfigDir } from './cli-paths.js';
import { callLocal } from './local-api-client.js';
import { LOCAL_SOCKET_NAME } from './local-api-protocol.js';
import { formatRelays, formatStatus } from './status-format.js';
import { EXIT, upCommand } from './up-command.js';
import { isInviteLink, parseInviteLink } from '../../src-shared/domain/invite-link.js';

const USAGE = `usage:
  lanrage up --control URL --name NAME [--create PARTY | --join CODE] [--ui [HOST:]PORT] [options]
  lanrage up --name NAME --join 'lanrage://join/CODE?control=…&fp=…'   (an invite link)
  lanrage status [--json]
  lanrage relays [--json]
  lanrage relay use ID | lanrage relay auto
  lanrage leave

options for up:
  --ui [HOST:]PORT     serve the web UI there (loopback 127.0.0.1 unless HOST is given); the
                       URL it prints carries a secret token. Without --create/--join, LANrage
                       starts idle and the party is created or joined from the UI.
  --config-dir DIR     keys, config, log and the local socket (default ~/.config/lanrage)
  --interface NAME     WireGuard interface name (default lanrage0)
  --stun HOST:PORT     STUN server when the control server advertises none (repeatable)
  --relay ID=HOST:PORT a relay to consider besides the control server's (repeatable)
  --listen-port N      the public UDP port (default: any)
  --log-level LEVEL    error | warn | info | debug
  --control-fingerprint FP  the control server's TLS certificate fingerprint (pins it)
  --helper PATH        the WireGuard helper binary (default: the one \`npm run build\` made)
  --helper-elevation "CMD ARGS"
                       start only the helper with privilege through this command, e.g.
                       "sudo -n" or "pkexec", so lanrage up itself needs no root
`;

function fail(message: string, code: number = EXIT.usage): never {
  process.stderr.write(`lanrage: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        control: { type: 'string' },
        'control-fingerprint': { type: 'string' },
        name: { type: 'string' },
        create: { type: 'string' },
        join: { type: 'string' },
        'config-dir': { type: 'string' },
        interface: { type: 'string' },
        stun: { type: 'string', multiple: true },
        relay: { type: 'string', multiple: true },
        'listen-port': { type: 'string' },
        'log-level': { type: 'string' },
        helper: { type: 'string' },
        'helper-elevation': { type: 'string' },
        json: { type: 'boolean' },
        ui: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const configDir = values['config-dir'] ?? defaultConfigDir();
  const socket = join(configDir, LOCAL_SOCKET_NAME);
  const print = (value: unknown, human: string) =>
    process.stdout.write((values.json ? JSON.stringify(value, null, 2) : human) + '\n');

  switch (command) {
    case 'up': {
      if (values.create !== undefined && values.join !== undefined)
        fail('up takes --create PARTY or --join CODE, not both');
      const overrides: ConfigInput = {};
      if (values.control) overrides.controlUrl = values.control;
      if (values['control-fingerprint'])
        overrides.controlFingerprint = values['control-fingerprint'];
      let join = values.join ?? null;
      if (join !== null && isInviteLink(join)) {
        const link = parseInviteLink(join);
        if (!link.ok) fail(link.error, EXIT.badInvite);
        if (values.control && values.control !== link.value.controlUrl)
          fail(
            `--control ${values.control} differs from the invite link's ${link.value.controlUrl}`,
          );
        overrides.controlUrl = link.value.controlUrl;
        if (link.value.fingerprint) overrides.controlFingerprint = link.value.fingerprint;
        join = link.value.code;
      }
      if (values.name) overrides.name = values.name;
      if (values.interface) overrides.interfaceName = values.interface;
      if (values.stun) overrides.stunServers = values.stun;
      if (values['log-level']) overrides.logLevel = values['log-level'] as ConfigInput['logLevel'];
      if (values['listen-port']) overrides.listenPort = Number(values['listen-port']);
      if (values.helper) overrides.helperPath = values.helper;
      if (values['helper-elevation'] !== undefined)
        overrides.helperElevation = values['helper-elevation'].split(/\s+/).filter(Boolean);
      if (values.relay) {
        overrides.relays = values.relay.map((r) => {
          const eq = r.indexOf('=');
          if (eq <= 0) fail(`--relay ${r}: expected ID=HOST:PORT`);
          return { id: r.slice(0, eq), endpoint: r.slice(eq + 1) };
        });
      }
      return upCommand({
        configDir,
        overrides,
        create: values.create ?? null,
        join,
        ui: values.ui ?? null,
      });
    }
    case 'status': {
      const status = await callLocal(socket, 'party:status');
      print(
        { party: status.party, self: status.self, control: status.control, peers: status.peers },
        formatStatus(status),
      );
      return EXIT.ok;
    }
    case 'relays': {
      const relays = await callLocal(socket, 'relays:list', { measure: true });
      print(relays, formatRelays(relays));
      return EXIT.ok;
    }
    case 'relay': {
      const [verb, id] = rest;
      if (verb === 'use' && id) {
        print(
          await callLocal(socket, 'relays:use', { id }),
          `using relay ${id} until "lanrage relay auto"`,
        );
        return EXIT.ok;
      }
      if (verb === 'auto') {
        print(await callLocal(socket, 'relays:auto'), 'choosing relays by latency');
        return EXIT.ok;
      }
      fail('usage: lanrage relay use ID | lanrage relay auto');
      break;
    }
    case 'leave': {
      const { left } = await callLocal(socket, 'party:leave');
      print({ left }, left ? 'left the party' : 'not in a party');
      return EXIT.ok;
    }
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`lanrage: ${error.message}\n`);
    process.exit(EXIT.failure);
  },
);
