/**
 * pino logger on stderr: JSON lines when stderr is not a TTY, pretty when it is.
 * pino is loaded on the first message at or above the level, not at start-up: a command
 * whose messages are all below the level (`run` logs at info, the default level is warn)
 * never pays for loading it.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);

/** pino's levels, by name; a message is written when its level is at least the logger's */
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const METHODS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Method = (typeof METHODS)[number];

/** The logging calls the commands make: pino's, with an object and/or a message. */
export type Log = Record<Method, (objOrMsg: object | string, msg?: string) => void>;

let pinoLogger: Logger | undefined;
let requestedLevel: string | undefined;

function currentLevel(): string {
  return requestedLevel ?? process.env.BITWEAVE_LOG_LEVEL ?? 'warn';
}

function pinoInstance(): Logger {
  if (!pinoLogger) {
    const { pino } = require('pino') as typeof import('pino');
    const level = currentLevel();
    pinoLogger = process.stderr.isTTY
      ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
      : pino({ level }, pino.destination(2));
  }
  return pinoLogger;
}

const log = Object.fromEntries(METHODS.map((m) => [m, (objOrMsg: object | string, msg?: string) => {
  // below the level: nothing to write, and pino stays unloaded
  if (LEVELS[m] < (LEVELS[currentLevel()] ?? LEVELS.warn)) return;
  if (typeof objOrMsg === 'string') pinoInstance()[m](objOrMsg);
  else pinoInstance()[m](objOrMsg, msg);
}])) as Log;

export function getLogger(): Log {
  return log;
}

/** The level of --log-level / --quiet; applies to the logger now or when it is created. */
export function setLogLevel(level: string): void {
  requestedLevel = level;
  if (pinoLogger) pinoLogger.level = level;
}
