/**
 * The process logger (pino) on stderr, in the two formats Kubernetes components offer
 * (`--logging-format`): `json`, one object per line, and `text`, klog's header
 * (`I1130 12:49:01.123456   4242 kindred] "message" key="value"`) for people reading a
 * terminal. Verbosity is klog's `-v`: 0–3 log info and above, 4–5 add debug, 6 and more trace.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  /** Default: text when stderr is a terminal, json otherwise. */
  format?: LogFormat;
  /** klog verbosity (`-v`); KINDRED_LOG_LEVEL (a pino level name) overrides it. */
  verbosity?: number;
  /** A pino level to use instead of the verbosity's (KINDRED_LOG_LEVEL still wins). */
  level?: string;
}

export function levelForVerbosity(verbosity: number): string {
  return verbosity >= 6 ? 'trace' : verbosity >= 4 ? 'debug' : 'info';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = process.env.KINDRED_LOG_LEVEL ?? options.level ?? levelForVerbosity(options.verbosity ?? 0);
  const format = options.format ?? (process.stderr.isTTY ? 'text' : 'json');
  // No base fields: children name their part (`component`), and a key is never written twice.
  return pino({ level, base: { pid: process.pid } }, format === 'text' ? textDestination(process.stderr) : pino.destination(2));
}

const SEVERITY: Record<number, string> = { 10: 'I', 20: 'I', 30: 'I', 40: 'W', 50: 'E', 60: 'F' };

/** One pino JSON record as a klog text line. */
export function toTextLine(record: Record<string, unknown>): string {
  const { level, time, pid, msg, ...fields } = record;
  const date = new Date(typeof time === 'number' ? time : Date.now());
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const header =
    `${SEVERITY[Number(level)] ?? 'I'}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}000 ` +
    `${String(pid ?? process.pid).padStart(7)} kindred]`;
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null)}`);
  return [header, JSON.stringify(String(msg ?? '')), ...pairs].join(' ');
}

function textDestination(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      let text = '';
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        try {
          text += `${toTextLine(JSON.parse(line) as Record<string, unknown>)}\n`;
        } catch {
          text += `${line}\n`;
        }
      }
      out.write(text, () => done());
    },
  });
}
