// Typed errors of the public contract. Every message is one line that names the problem;
// the CLI prints it as is (exit 2 for input and config errors), handlers log it as JSON.

/** Room in an error for what an event put in it (a path, a quoted value): a huge value must not make a huge error. */
const EVENT_TEXT_MAX = 1000;

/** `text`, cut to `max` characters with its length said, when longer. */
export function clipped(text: string, max = EVENT_TEXT_MAX): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

export abstract class RouterError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The raw event cannot be an alert of the expected type. `field` is a path into the raw
 * event (`detail.state.value`, `data.data.alerts[0].labels`), `problem` says what is wrong.
 */
export class InvalidEventError extends RouterError {
  readonly code = 'INVALID_EVENT';
  readonly field: string;
  readonly problem: string;
  constructor(field: string, problem: string) {
    super(`invalid event: ${clipped(field)}: ${clipped(problem)}`);
    this.field = clipped(field);
    this.problem = clipped(problem);
  }
}

/** The event is well formed but of a type this handler (or the router) does not handle. */
export class UnsupportedEventError extends RouterError {
  readonly code = 'UNSUPPORTED_EVENT';
  readonly eventType: string;
  constructor(
    eventType: string,
    readonly expected: string,
  ) {
    super(`unsupported event: got ${clipped(eventType)}, this handler takes ${expected}`);
    this.eventType = clipped(eventType);
  }
}

/** router.yaml is unreadable or invalid. `path` is the path inside the file (`route.routes[1].matchers[0]`). */
export class ConfigError extends RouterError {
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${path ? `${path}: ` : ''}${problem}`);
  }
}
