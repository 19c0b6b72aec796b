// What a command of the command line is: its name (one or two words: `routes test`), its
// help (a summary, a usage line, examples), the options it takes, and what it does. Every
// command is one module under commands/; main.ts only dispatches.
import type { RouterConfig } from '../route/types';

/** One option, as node:util parseArgs takes it, plus its help line. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help (`SECONDS`); string options only. */
  value?: string;
  default?: string | boolean;
  description: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  /** The positional arguments after the command's name. */
  args: string[];
  values: OptionValues;
  /**
   * The routing config, resolved the same way for every command: `file` (a FILE argument,
   * when the command takes one) or --config, then ROUTER_CONFIG, then ./router.yaml.
   * Says on stderr which file it used.
   */
  loadConfig(file?: string): Promise<RouterConfig>;
  /**
   * The path loadConfig would read (checked readable) and where it came from (`from --config`),
   * for commands that read the file themselves.
   */
  configPath(file?: string): Promise<{ path: string; source: string }>;
  /** Writes the command's output to stdout (a newline is added when missing). */
  print(text: string): void;
  /** Writes a note (progress, which file was used) to stderr. */
  note(text: string): void;
}

export interface Command {
  /** `normalize`, `routes test`. */
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** The arguments after the name, as help shows them: `FILE [--json]`. */
  usage: string;
  /** Whole command lines after `npm run -s router --`, each one runnable from the repository root; at least one. */
  examples: [string, ...string[]];
  /** More help text, after the summary. */
  description?: string;
  options?: Record<string, OptionSpec>;
  /** The command reads the routing config: it takes --config. */
  takesConfig?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}

/** Wrong arguments or options. Exit code 2, with a one-line message and where to find help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The argument at `index`, or a usage error naming what is missing. */
export function requireArg(ctx: CommandContext, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined) throw new UsageError(`missing ${name}`);
  return value;
}

/** Refuses arguments beyond the `max` a command takes. */
export function noMoreArgs(ctx: CommandContext, max: number): void {
  if (ctx.args.length > max) throw new UsageError(`unexpected argument ${ctx.args[max]}`);
}
