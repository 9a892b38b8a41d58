import { describe, expect, it } from 'vitest';
import { countGoTests } from './go-test-report.mjs';

const event = (o: Record<string, unknown>) => JSON.stringify(o);

describe('go test -json counting', () => {
  it('counts leaf tests: subtests instead of their parent', () => {
    const out = [
      event({ Action: 'run', Package: 'p', Test: 'TestA' }),
      event({ Action: 'pass', Package: 'p', Test: 'TestA/one' }),
      event({ Action: 'fail', Package: 'p', Test: 'TestA/two' }),
      event({ Action: 'fail', Package: 'p', Test: 'TestA' }),
      event({ Action: 'pass', Package: 'p', Test: 'TestB' }),
      event({ Action: 'fail', Package: 'p' }),
    ].join('\n');
    const counts = countGoTests(out);
    expect([counts.passed, counts.failed]).toEqual([2, 1]);
  });

  it('counts a package that failed to build as one failure', () => {
    const out = [
      event({ Action: 'output', Package: 'q', Output: 'q/x.go:1: syntax error\n' }),
      event({ Action: 'fail', Package: 'q' }),
      event({ Action: 'pass', Package: 'p', Test: 'TestB' }),
    ].join('\n');
    const counts = countGoTests(out);
    expect([counts.passed, counts.failed]).toEqual([1, 1]);
    expect(counts.text).toContain('syntax error');
  });

  it('counts a skipped test as a failure', () => {
    const out = event({ Action: 'skip', Package: 'p', Test: 'TestC' });
    expect(countGoTests(out).failed).toBe(1);
  });
});
