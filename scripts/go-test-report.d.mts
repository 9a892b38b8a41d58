/** Types of go-test-report.mjs (a plain script, so the test runner needs no build step). */
export function countGoTests(output: string): { passed: number; failed: number; text: string };
