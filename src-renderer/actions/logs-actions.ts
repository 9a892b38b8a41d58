import { bridge } from '../bridge';
import { logsStore } from '../stores/logs-store';
import { errorOf } from './error-of';

/** Lines shown in the Logs view: a screenful or three. */
export const LOG_VIEW_LINES = 300;

export async function loadLogs(): Promise<void> {
  try {
    logsStore.getState().loaded((await bridge().logs.recent({ limit: LOG_VIEW_LINES })).lines);
  } catch (error) {
    logsStore.getState().failed(errorOf(error).message);
  }
}

/** Saves the diagnostics bundle through the browser's download (the page has no file access). */
export async function exportDiagnostics(): Promise<string | null> {
  try {
    const { fileName, content } = await bridge().diagnostics.export();
    const url = URL.createObjectURL(new Blob([content], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return fileName;
  } catch (error) {
    logsStore.getState().failed(errorOf(error).message);
    return null;
  }
}
