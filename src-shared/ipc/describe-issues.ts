import { z } from 'zod';

/** A zod error as one line a human can read, for IPC error messages and logs. */
export function describeIssues(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n\s*/g, '; ');
}
