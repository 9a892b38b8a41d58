// Reads `go test -json` output (one JSON event per line) into the counts scripts/test.mjs adds
// to its "N passed, N failed" line, and the human-readable text to print.
//
// Counted are leaf tests: a test with subtests passes or fails through them, so only the
// subtests count (as vitest counts each case of an it.each). A package that fails without a
// failing test (a build error, a panic outside a test) is counted as one failure.

/** @param {string} output */
export function countGoTests(output) {
  const results = new Map(); // "package test" → "pass" | "fail"
  const failedPackages = new Set();
  const packagesWithFailingTests = new Set();
  let text = '';
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.Action === 'output' && typeof event.Output === 'string') {
      // Package summaries, failures and logs; test-by-test chatter only when it failed.
      if (!event.Test || !/^(=== RUN|=== PAUSE|=== CONT|--- PASS)/.test(event.Output.trim())) {
        if (!event.Test || results.get(`${event.Package} ${event.Test}`) !== 'pass')
          text += event.Output.startsWith('    ') || !event.Test ? event.Output : '';
      }
      continue;
    }
    if (event.Action !== 'pass' && event.Action !== 'fail' && event.Action !== 'skip') continue;
    if (event.Test) {
      results.set(`${event.Package} ${event.Test}`, event.Action);
      if (event.Action === 'fail') packagesWithFailingTests.add(event.Package);
    } else if (event.Action === 'fail') failedPackages.add(event.Package);
  }
  const names = [...results.keys()];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const [name, action] of results) {
    const hasChildren = names.some((other) => other.startsWith(`${name}/`));
    if (hasChildren) continue;
    if (action === 'pass') passed++;
    else if (action === 'fail') failed++;
    else skipped++;
  }
  for (const pkg of failedPackages) if (!packagesWithFailingTests.has(pkg)) failed++;
  // A skipped Go test is a failure here: the quality bar allows no skips.
  failed += skipped;
  text += `go test: ${passed} passed, ${failed} failed\n`;
  return { passed, failed, text };
}
