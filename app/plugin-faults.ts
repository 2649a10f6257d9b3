/**
 * Keeps a broken storage plugin from taking kindred down. A plugin runs in kindred's process,
 * so an exception it throws from a timer, or a promise rejection it leaves unhandled, would
 * end the process and every kind with it. These process handlers attribute such an error to
 * a plugin by the files in its stack; when they can, they log it and report it (the reloader
 * then serves the plugin's kinds as 503 until the plugin is fixed), and kindred keeps serving
 * everything else. An error they cannot attribute keeps Node's default: logged, exit code 1.
 */
import type { Logger } from 'pino';

export interface PluginFaultOptions {
  log: Logger;
  /** The plugin (its version, as the reloader knows it) that a stack trace points into, if any. */
  attribute(stack: string): string | undefined;
  /** Told once per fault, after it was logged. */
  onFault(pluginVersion: string, error: unknown): void;
}

/** Installs the process handlers; returns the function that removes them. */
export function guardAgainstPluginFaults(options: PluginFaultOptions): () => void {
  const onException = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin): void => {
    const plugin = attributeError(error, options.attribute);
    if (plugin === undefined) {
      options.log.fatal({ err: error, origin }, 'uncaught exception: exiting');
      // Node's default for an uncaught exception: the stack on stderr, exit code 1.
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    }
    report(plugin, error, origin === 'unhandledRejection' ? 'an unhandled promise rejection' : 'an uncaught exception');
  };
  const onRejection = (reason: unknown): void => {
    const plugin = attributeError(reason, options.attribute);
    // Not a plugin's: as Node's default (--unhandled-rejections=throw), an uncaught exception.
    if (plugin === undefined) return onException(reason, 'unhandledRejection');
    report(plugin, reason, 'an unhandled promise rejection');
  };
  const report = (plugin: string, error: unknown, what: string): void => {
    options.log.error({ err: error, plugin }, `storage plugin ${plugin} raised ${what}: its kinds answer 503 until it is reloaded`);
    options.onFault(plugin, error);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

function attributeError(error: unknown, attribute: (stack: string) => string | undefined): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  return stack ? attribute(stack) : undefined;
}
