// Help texts: the command list (`help`, no command) and each command's page (`help COMMAND`,
// `COMMAND --help`).
import { UsageError, type Command, type OptionSpec } from './command';

export const PROGRAM = 'npm run -s router --';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  verbose: { type: 'boolean', default: false, description: "write the handlers' JSON log lines to stderr" },
  debug: { type: 'boolean', default: false, description: 'print stack traces of unexpected errors' },
  help: { type: 'boolean', short: 'h', default: false, description: 'this help' },
  version: { type: 'boolean', default: false, description: "the router's version" },
};

/** The option of every command that reads the routing config. */
export const CONFIG_OPTION: Record<string, OptionSpec> = {
  config: { type: 'string', value: 'FILE', description: 'routing config (default: $ROUTER_CONFIG, else ./router.yaml)' },
};

const EXIT_CODES = 'Exit codes: 0 success, 1 one or more deliveries failed, 2 invalid input or config.';

function optionLines(options: Record<string, OptionSpec>): string[] {
  const lines = Object.entries(options).map(([name, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
    return { head: `${spec.short ? `-${spec.short}, ` : ''}--${name}${value}`, description: spec.description };
  });
  const width = Math.max(...lines.map(({ head }) => head.length));
  return lines.map(({ head, description }) => `  ${head.padEnd(width)}  ${description}`);
}

export function commandOptions(command: Command): Record<string, OptionSpec> {
  return { ...command.options, ...(command.takesConfig ? CONFIG_OPTION : {}), ...GLOBAL_OPTIONS };
}

export function usageLine(command: Command): string {
  return `${PROGRAM} ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${usageLine(command)}`,
    '',
    command.summary.charAt(0).toUpperCase() + command.summary.slice(1) + '.',
    ...(command.description ? [command.description] : []),
    '',
    'Options:',
    ...optionLines(commandOptions(command)),
    '',
    command.examples.length > 1 ? 'Examples:' : 'Example:',
    ...command.examples.map((example) => `  ${PROGRAM} ${example}`),
    '',
    EXIT_CODES,
  ].join('\n');
}

export function generalHelp(commands: readonly [Command, ...Command[]]): string {
  const width = Math.max(...commands.map((command) => `${command.name} ${command.usage}`.length));
  return [
    `Usage: ${PROGRAM} COMMAND [options]`,
    '',
    'Commands:',
    ...commands.map((command) => `  ${`${command.name} ${command.usage}`.padEnd(width)}  ${command.summary}`),
    `  ${'help [COMMAND]'.padEnd(width)}  this list, or a command's options and examples`,
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    `Commands that read the routing config also take --config FILE (default: $ROUTER_CONFIG, else ./router.yaml).`,
    '',
    `Example: ${PROGRAM} ${commands[0].examples[0]}`,
    `More: ${PROGRAM} help COMMAND`,
    '',
    EXIT_CODES,
  ].join('\n');
}

/** The help of a group (`routes`): its commands. */
export function groupHelp(group: string, commands: readonly Command[]): string {
  const [first, ...rest] = commands.filter((command) => command.name.startsWith(`${group} `));
  if (!first) throw new UsageError(`unknown command ${group}`);
  return generalHelp([first, ...rest]);
}
