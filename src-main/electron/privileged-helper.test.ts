import { describe, expect, it } from 'vitest';
import { helperFailureMessage } from './privileged-helper.js';

describe('starting the privileged helper', () => {
  it('tells the user a cancelled prompt can be retried', () => {
    const start = helperFailureMessage(126, '/opt/LANrage/resources/helper/lanrage-helper');
    expect(start).toMatchObject({ ok: false, reason: 'dismissed' });
    if (!start.ok) expect(start.message).toMatch(/request was cancelled.*Try again/);
  });

  it('tells the user the system refused when authorisation failed', () => {
    expect(helperFailureMessage(127, '/x')).toMatchObject({ ok: false, reason: 'not-authorised' });
  });

  it('names the helper and its exit code for any other failure', () => {
    const start = helperFailureMessage(3, '/opt/x/lanrage-helper');
    expect(start).toEqual({
      ok: false,
      reason: 'failed',
      message:
        'The LANrage network helper (/opt/x/lanrage-helper) stopped at start with code 3. See Logs for details.',
    });
  });
});
