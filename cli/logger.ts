/**
 * pino logger on stderr: JSON lines when stderr is not a TTY, pretty when it is.
 * pino is loaded on the first log call, not at start-up: `bitweave --version` and the
 * commands that never log do not pay for it.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);
let logger: Logger | undefined;
let requestedLevel: string | undefined;

export function getLogger(level = requestedLevel ?? process.env.BITWEAVE_LOG_LEVEL ?? 'warn'): Logger {
  if (!logger) {
    const { pino } = require('pino') as typeof import('pino');
    logger = process.stderr.isTTY
      ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
      : pino({ level }, pino.destination(2));
  }
  return logger;
}

/** The level of --log-level / --quiet; applies to the logger now or when it is created. */
export function setLogLevel(level: string): void {
  requestedLevel = level;
  if (logger) logger.level = level;
}

