/**
 * The one polling helper of the test suites: waits for a condition that something else
 * (a server, a watch, a control loop) will make true, instead of sleeping a fixed time.
 */

export interface EventuallyOptions {
  /** Give up after this long. Default 60 s: only a failing test waits that long, and a loaded CI machine is slow. */
  timeoutMs?: number;
  /** Time between attempts. Default 50 ms. */
  intervalMs?: number;
  /** Checked before each attempt: a reason to give up at once (e.g. the process under test exited). */
  giveUpIf?: () => Promise<string | undefined> | string | undefined;
  /** Text added to the timeout error (e.g. the last lines of a process's output). */
  context?: () => string;
}

/**
 * Calls `check` until it returns something other than `undefined` or `false`, and returns
 * that. A `check` that throws counts as "not yet"; the timeout error names `what` and the
 * last error.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last = 'not yet';
  for (;;) {
    const reason = await options.giveUpIf?.();
    if (reason !== undefined) throw new Error(`${reason} while waiting for ${what}${suffix(options)}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})${suffix(options)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

function suffix(options: EventuallyOptions): string {
  return options.context ? `\n${options.context()}` : '';
}
