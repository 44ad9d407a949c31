/** pino logger on stderr: JSON lines when stderr is not a TTY, pretty when it is. */
import { pino, type Logger } from 'pino';

let logger: Logger | undefined;

export function getLogger(level = process.env.BITWEAVE_LOG_LEVEL ?? 'warn'): Logger {
  if (!logger) {
    logger = process.stderr.isTTY
      ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
      : pino({ level }, pino.destination(2));
  }
  return logger;
}

export function setLogLevel(level: string): void {
  getLogger().level = level;
}
