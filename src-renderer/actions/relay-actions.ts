import { bridge } from '../bridge';
import { relaysStore } from '../stores/relays-store';
import { errorOf } from './error-of';

async function run(
  call: () => Promise<Parameters<ReturnType<typeof relaysStore.getState>['loaded']>[0]>,
) {
  relaysStore.getState().started();
  try {
    relaysStore.getState().loaded(await call());
  } catch (error) {
    relaysStore.getState().failed(errorOf(error).message);
  }
}

/** Measures every relay now (a few seconds) and shows them. */
export const measureRelays = () => run(() => bridge().relays.list({ measure: true }));
export const pinRelay = (id: string) => run(() => bridge().relays.use({ id }));
export const automaticRelay = () => run(() => bridge().relays.auto());
