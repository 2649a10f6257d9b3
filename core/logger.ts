/** The process logger: structured JSON lines on stderr (pino). */
import { pino, type Logger } from 'pino';

export function createLogger(level = process.env.KINDRED_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component: 'kindred' } }, pino.destination(2));
}
