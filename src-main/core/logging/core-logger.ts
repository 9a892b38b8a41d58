import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from '../config/private-files.js';
import winston from 'winston';

/**
 * The core's logger: one line per event, `time level [area] message key=value…`, to stderr (for
 * `lanrage up` in a terminal) and to a size-rotated file in the config dir (for bug reports).
 * Areas and peers come in through child loggers (`log.child({ area: 'party', party: id })`), so every
 * line says which party and which peer it is about.
 */
/** 5 MB × 3 files: days of normal logs, a bounded footprint when something loops. */
export const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_FILE_COUNT = 3;
export const LOG_FILE_NAME = 'lanrage.log';

const lineFormat = winston.format.printf((info) => {
  const { timestamp, level, message, area, ...rest } = info;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${level} [${String(area ?? 'core')}] ${String(message)}${fields ? ' ' + fields : ''}`;
});

export interface CoreLoggerOptions {
  level: string;
  /** Directory for the rotating log file; none means console only. */
  configDir?: string;
  console?: boolean;
  /** Also write every formatted line here (the app's in-memory recent-log ring). */
  ring?: NodeJS.WritableStream;
}

export function createCoreLogger(options: CoreLoggerOptions): winston.Logger {
  const format = winston.format.combine(winston.format.timestamp(), lineFormat);
  const transports: winston.transport[] = [];
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({
        format,
        stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'],
      }),
    );
  }
  if (options.configDir) {
    // The log names peers, parties and addresses: private directory, private file (and its
    // rotated copies, which winston opens with the same options).
    ensurePrivateDir(options.configDir);
    ensurePrivateFile(join(options.configDir, LOG_FILE_NAME));
    transports.push(
      new winston.transports.File({
        filename: join(options.configDir, LOG_FILE_NAME),
        options: { flags: 'a', mode: PRIVATE_FILE_MODE },
        maxsize: LOG_FILE_MAX_BYTES,
        maxFiles: LOG_FILE_COUNT,
        tailable: true,
        format,
      }),
    );
  }
  if (options.ring)
    transports.push(new winston.transports.Stream({ stream: options.ring, format }));
  if (transports.length === 0) return winston.createLogger({ silent: true });
  return winston.createLogger({ level: options.level, transports });
}
