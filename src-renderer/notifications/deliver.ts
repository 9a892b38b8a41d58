import { notificationsStore } from '../stores/notifications-store';
import type { Notice } from './notice-rules';

/**
 * Shows a notice: in Electron as an OS notification (main grants the permission to our page
 * only), in a browser as an in-app toast — a web page's OS notifications would need a prompt.
 */
export function notify(notice: Notice, mode: 'electron' | 'web'): void {
  if (mode === 'electron' && typeof Notification !== 'undefined') {
    new Notification('LANrage', { body: notice.text, silent: true });
    return;
  }
  notificationsStore.getState().showToast(notice);
}
