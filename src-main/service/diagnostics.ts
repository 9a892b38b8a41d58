import type { CoreStatus } from '../../src-shared/domain/core-status.js';
import type { AppInfo, Diagnostics, EditableSettings } from '../../src-shared/ipc/contract.js';

/**
 * The diagnostics bundle a user attaches to a bug report: the status, the settings (a control
 * URL's user name and password removed; the WireGuard private key is never part of the config),
 * and the last log lines. The party's invite code is removed from the status and the log: a bug
 * report is often posted in public, and the code is all a stranger needs to join the party.
 */
export function diagnosticsBundle(input: {
  info: AppInfo;
  status: CoreStatus | null;
  settings: EditableSettings;
  problem: string | null;
  logLines: string[];
  now: Date;
}): Diagnostics {
  const code = inviteCodePattern(input.status?.party?.inviteCode ?? '');
  const stamp = input.now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const content = {
    generatedAt: input.now.toISOString(),
    app: input.info,
    problem: input.problem,
    status: withoutInviteCode(input.status),
    settings: { ...input.settings, controlUrl: withoutCredentials(input.settings.controlUrl) },
    log: code
      ? input.logLines.map((line) => line.replace(code, INVITE_CODE_REMOVED))
      : input.logLines,
  };
  return {
    fileName: `lanrage-diagnostics-${stamp.toLowerCase()}.json`,
    content: JSON.stringify(content, null, 2),
  };
}

/** What the bundle shows instead of the invite code. */
export const INVITE_CODE_REMOVED = '[invite code removed]';

function withoutInviteCode(status: CoreStatus | null): CoreStatus | null {
  if (!status?.party) return status;
  return { ...status, party: { ...status.party, inviteCode: INVITE_CODE_REMOVED } };
}

/**
 * The code as a log line may spell it: any case, with or without its dash or spaces.
 * Null for no code.
 */
function inviteCodePattern(code: string): RegExp | null {
  const chars = code.replace(/[^0-9a-z]/gi, '');
  if (chars.length === 0) return null;
  return new RegExp(chars.split('').join('[-\\s]*'), 'gi');
}

export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
