import { Writable } from 'node:stream';

/**
 * The last lines the core logged, kept in memory for the Logs view and the diagnostics bundle
 * (the file log may be unreadable to the app, or rotated away). Attach `stream` to the logger
 * with winston's Stream transport: it receives every formatted line.
 */
/** A few minutes of normal logging at info level; a bounded ~1 MB at worst. */
export const LOG_RING_LINES = 1_000;
/** One line longer than this is cut: a runaway dump must not fill the ring. */
const MAX_LINE_CHARS = 1_000;

export class LogRing {
  private readonly lines: string[] = [];
  readonly stream: Writable;

  constructor(private readonly capacity = LOG_RING_LINES) {
    this.stream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        for (const line of String(chunk).split('\n')) if (line.length > 0) this.push(line);
        done();
      },
    });
  }

  push(line: string): void {
    this.lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The newest `limit` lines, oldest first. */
  recent(limit: number): string[] {
    return this.lines.slice(-limit);
  }
}
