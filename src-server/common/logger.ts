import winston from 'winston';

/**
 * One winston logger per server process; areas take children (`logger.child({ area })`).
 * Lines are `time level [area] message key=value…` on stderr, so stdout stays for what a CLI prints.
 */
export function createServerLogger(
  service: string,
  level = process.env.LANRAGE_LOG_LEVEL ?? 'info',
) {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    transports: [
      new winston.transports.Console({
        stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
        format: winston.format.combine(
          winston.format.timestamp(),
          winston.format.printf((info) => {
            const { timestamp, level: lvl, message, service: svc, area, ...rest } = info;
            const fields = Object.entries(rest)
              .filter(([k]) => typeof k === 'string')
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            const where = area ? `${String(svc)}/${String(area)}` : String(svc);
            return `${String(timestamp)} ${lvl} [${where}] ${String(message)}${fields ? ' ' + fields : ''}`;
          }),
        ),
      }),
    ],
  });
}

/** The one logger interface client and servers share (src-common/logging/logger.ts). */
export type { Logger } from '../../src-common/logging/logger.js';
