// Typed errors of the public contract. Every message is one line that names the problem;
// the CLI prints it as is (exit 2 for input and config errors), handlers log it as JSON.

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
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid event: ${field}: ${problem}`);
  }
}

/** The event is well formed but of a type this handler (or the router) does not handle. */
export class UnsupportedEventError extends RouterError {
  readonly code = 'UNSUPPORTED_EVENT';
  constructor(
    readonly eventType: string,
    readonly expected: string,
  ) {
    super(`unsupported event: got ${eventType}, this handler takes ${expected}`);
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
