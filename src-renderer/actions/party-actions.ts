import { bridge } from '../bridge';
import { partyStore } from '../stores/party-store';
import { errorOf } from './error-of';

/** Party commands: each marks the store busy, calls the core, records its error in plain words. */
async function run(
  command: 'create' | 'join' | 'leave',
  call: () => Promise<unknown>,
): Promise<boolean> {
  const store = partyStore.getState();
  if (store.busy !== null) return false;
  store.commandStarted(command);
  try {
    await call();
    // The status push follows; fetch it too, so the view never waits on the coalescer.
    partyStore.getState().statusReceived(await bridge().party.status(), Date.now());
    partyStore.getState().commandDone();
    return true;
  } catch (error) {
    const { code, message } = errorOf(error);
    partyStore.getState().commandFailed(command, code, message);
    return false;
  }
}

export const createParty = (name: string) => run('create', () => bridge().party.create({ name }));
export const joinParty = (inviteCode: string) =>
  run('join', () => bridge().party.join({ inviteCode }));
export const leaveParty = () => run('leave', () => bridge().party.leave());
