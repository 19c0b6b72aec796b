// The local command line (`npm run -s router -- COMMAND`). Its commands, output and exit
// codes are a public contract (README "Command line"): 0 success, 1 a delivery failed,
// 2 invalid input or config, with one line on stderr and no stack trace unless --debug.
// Each command is a module under commands/; this file finds it, parses its options,
// resolves the routing config for it and turns errors into that one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redact, setLogSink } from '../log';
import { RouterError } from '../model/errors';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../route/config';
import { UsageError, type Command, type CommandContext, type OptionSpec, type OptionValues } from './command';
import { COMMANDS } from './commands';
import { checkReadable, InputFileError } from './events';
import { commandHelp, commandOptions, CONFIG_OPTION, generalHelp, GLOBAL_OPTIONS, groupHelp, PROGRAM, usageLine } from './help';
import { didYouMean } from './suggest';

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');
const note = (text: string) => process.stderr.write(text.endsWith('\n') ? text : text + '\n');

/** The first words of two-word command names: `routes`, `state`. */
const GROUPS = [...new Set(COMMANDS.flatMap((c) => (c.name.includes(' ') ? [c.name.slice(0, c.name.indexOf(' '))] : [])))];

/** The command named by the leading words, and how many words its name takes. */
function findCommand(words: string[]): Command | undefined {
  return COMMANDS.find((command) => command.name === words.slice(0, command.name.split(' ').length).join(' '));
}

function unknownCommand(words: string[]): UsageError {
  const [first, second] = words;
  if (first && GROUPS.includes(first)) {
    const subs = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
    if (!second) return new UsageError(`missing subcommand (${subs.join(' or ')})`, first);
    return new UsageError(`unknown subcommand ${second}${didYouMean(second, subs)}`, first);
  }
  const names = [...COMMANDS.map((c) => c.name), ...GROUPS, 'help'];
  return new UsageError(`unknown command ${first}${didYouMean(first ?? '', names)}`);
}

function parseOptions(argv: string[], options: Record<string, OptionSpec>): { values: OptionValues; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.default !== undefined ? { default: spec.default } : {}) }]),
  );
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: config });
}

/** parseArgs' own errors (`Unknown option '--jsn'`) as a usage error with a suggestion. */
function optionError(error: unknown, options: Record<string, OptionSpec>): unknown {
  const code = (error as { code?: string }).code;
  if (!(error instanceof TypeError) || !code?.startsWith('ERR_PARSE_ARGS')) return error;
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(error.message)?.[1];
  if (unknown) return new UsageError(`unknown option ${unknown}${didYouMean(unknown, Object.keys(options).map((name) => `--${name}`))}`);
  return new UsageError(error.message.replace(/\n.*$/s, '').replace(/\. To specify a positional argument.*$/, ''));
}

/** Resolves the routing config's path: `file` (an argument) or --config, then ROUTER_CONFIG, then ./router.yaml. */
async function resolveConfigPath(values: OptionValues, file?: string): Promise<{ path: string; source: string }> {
  const flag = typeof values.config === 'string' ? values.config : undefined;
  if (file && flag && file !== flag) throw new UsageError(`two configs given (${file} and --config ${flag}): pass one`);
  const env = process.env.ROUTER_CONFIG;
  const given = file || flag;
  const [path, source, hint] =
    given
      ? [given, file ? 'given' : 'from --config', 'check the path']
      : env
        ? [env, 'from ROUTER_CONFIG', 'ROUTER_CONFIG names it: fix or unset the variable']
        : [DEFAULT_CONFIG_FILE, 'the default', 'run from the repository root, or pass --config FILE or set ROUTER_CONFIG'];
  await checkReadable(path, hint);
  return { path, source };
}

/** Resolves and loads the routing config, and says on stderr which file it used. */
async function loadCommandConfig(values: OptionValues, file?: string) {
  const { path, source } = await resolveConfigPath(values, file);
  const config = await loadConfig(path);
  note(`using config ${path} (${source})`);
  return config;
}

export async function main(argv: string[]): Promise<number> {
  // A first pass knows every option, so that an option's value is not taken for a word of
  // the command's name; the command's own pass below is strict.
  const every = Object.assign({}, GLOBAL_OPTIONS, CONFIG_OPTION, ...COMMANDS.map((c) => c.options ?? {})) as Record<string, OptionSpec>;
  const loose = parseArgs({ args: argv, allowPositionals: true, strict: false, options: Object.fromEntries(Object.entries(every).map(([n, s]) => [n, { type: s.type, ...(s.short ? { short: s.short } : {}) }])) });
  const words = loose.positionals;

  if (words.length === 0) {
    if (loose.values.version) {
      // package.json is two levels up from shared/cli, in the repository the command runs from.
      print((JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
      return 0;
    }
    if (loose.values.help) {
      print(generalHelp(COMMANDS));
      return 0;
    }
    note(generalHelp(COMMANDS));
    return 2;
  }
  if (words[0] === 'help') {
    const topic = words.slice(1);
    const [group] = topic;
    const found = findCommand(topic);
    if (group === undefined) print(generalHelp(COMMANDS));
    else if (found) print(commandHelp(found));
    else if (topic.length === 1 && GROUPS.includes(group)) print(groupHelp(group, COMMANDS));
    else throw unknownCommand(topic);
    return 0;
  }
  const command = findCommand(words);
  if (!command) {
    const [group] = words;
    if (loose.values.help && words.length === 1 && group !== undefined && GROUPS.includes(group)) {
      print(groupHelp(group, COMMANDS));
      return 0;
    }
    throw unknownCommand(words);
  }

  const options = commandOptions(command);
  try {
    let parsed;
    try {
      parsed = parseOptions(argv, options);
    } catch (error) {
      throw optionError(error, options);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      print(commandHelp(command));
      return 0;
    }
    // The handlers log JSON lines to stdout on the platforms; here stdout carries the
    // command's own output, so logs go to stderr on request only.
    setLogSink(values.verbose ? (line) => process.stderr.write(line + '\n') : () => undefined);
    const ctx: CommandContext = {
      args: positionals.slice(command.name.split(' ').length),
      values,
      loadConfig: (file) => loadCommandConfig(values, file),
      configPath: (file) => resolveConfigPath(values, file),
      print,
      note,
    };
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof UsageError && !error.command) throw new UsageError(error.message, command.name);
    throw error;
  }
}

/** Maps an error to its one-line message and exit code. */
export function describeError(error: unknown, debug = false): { message: string; code: number } {
  if (error instanceof RouterError || error instanceof InputFileError) return { message: error.message, code: 2 };
  // A file the command was told to read or write that it cannot (Node's message names it): input, not a bug.
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof syscall === 'string') return { message: error.message, code: 2 };
  if (error instanceof UsageError) {
    const command = error.command ? COMMANDS.find((c) => c.name === error.command) : undefined;
    const help = command
      ? `usage: ${usageLine(command)}; more: ${PROGRAM} ${command.name} --help`
      : `see: ${PROGRAM} help${error.command ? ` ${error.command}` : ''}`;
    return { message: `${error.command ? `${error.command}: ` : ''}${error.message} (${help})`, code: 2 };
  }
  return { message: `unexpected error: ${error instanceof Error ? error.message : String(error)}${debug ? '' : ' (run with --debug for details)'}`, code: 1 };
}

/** A closed stdout (`... | head -1`) ends the command quietly: the reader has what it wanted. */
function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/**
 * A closed stderr (`2>&1 | grep -m1 ...`) only loses the progress and the notes: the command
 * goes on, its deliveries made and its exit code what they say.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

if (require.main === module) {
  exitOnClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  const argv = process.argv.slice(2);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const { message, code } = describeError(error, argv.includes('--debug'));
      // Redacted as every log line is: an error may carry a service's echo of a request.
      process.stderr.write(`router: ${redact(message)}\n`);
      if (argv.includes('--debug') && error instanceof Error) process.stderr.write(`${redact(String(error.stack))}\n`);
      process.exitCode = code;
    },
  );
}
