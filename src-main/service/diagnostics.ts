import type { CoreStatus } from '../../src-shared/domain/core-status.js';
import type { AppInfo, Diagnostics, EditableSettings } from '../../src-shared/ipc/contract.js';

/**
 * The diagnostics bundle a user attaches to a bug report: the status, the settings (a control
 * URL's user name and password removed; the WireGuard private key is never part of the config),
 * and the last log lines.
 */
export function diagnosticsBundle(input: {
  info: AppInfo;
  status: CoreStatus | null;
  settings: EditableSettings;
  problem: string | null;
  logLines: string[];
  now: Date;
}): Diagnostics {
  const stamp = input.now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const content = {
    generatedAt: input.now.toISOString(),
    app: input.info,
    problem: input.problem,
    status: input.status,
    settings: { ...input.settings, controlUrl: withoutCredentials(input.settings.controlUrl) },
    log: input.logLines,
  };
  return {
    fileName: `lanrage-diagnostics-${stamp.toLowerCase()}.json`,
    content: JSON.stringify(content, null, 2),
  };
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
