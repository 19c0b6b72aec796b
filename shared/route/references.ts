// Secret references in target settings: `${env:NAME}` anywhere in a string, `$${` for a
// literal `${`. Anything else inside `${...}` is refused rather than passed on, so a
// mistyped reference never reaches a target. Resolved values are registered for redaction.
// Used when router.yaml is loaded (config.ts) and when a function starts from its compiled
// router.json (compiled.ts), so it imports neither the YAML parser nor the schema library.
import { registerSecret } from '../log';

type Env = Record<string, string | undefined>;
export type SettingsPath = (string | number)[];

const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** Shorter values cannot be redacted without hiding innocent text (see registerSecret). */
const MIN_SECRET_LENGTH = 4;

/** A reference that cannot be resolved; `path` is inside the settings. */
export class ReferenceProblem extends Error {
  override name = 'ReferenceProblem';
  constructor(
    readonly path: SettingsPath,
    message: string,
  ) {
    super(message);
  }
}

export interface Resolved {
  value: unknown;
  /** Dotted settings paths that held a reference. */
  referenced: Set<string>;
  /** Dotted settings paths whose variable is unset (`check` mode only: left as written). */
  unresolved: Set<string>;
}

/** Whether the settings hold a reference at all (`$${` escapes aside). */
export function hasReferences(value: unknown): boolean {
  if (typeof value === 'string') return [...value.matchAll(REFERENCE)].some((m) => m[0] !== '$${');
  if (Array.isArray(value)) return value.some(hasReferences);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasReferences);
  return false;
}

/**
 * Resolves every reference in `settings` from `env`. `resolve` refuses an unset variable;
 * `check` leaves it as written (a config checked where its secrets are not set).
 */
export function resolveReferences(settings: unknown, env: Env, mode: 'resolve' | 'check' = 'resolve'): Resolved {
  const referenced = new Set<string>();
  const unresolved = new Set<string>();
  const walk = (value: unknown, path: SettingsPath): unknown => {
    if (typeof value === 'string') {
      const text = value.replace(REFERENCE, (whole, inner: string | undefined, close: string | undefined) => {
        if (whole === '$${') return '${';
        const fail = (problem: string) => new ReferenceProblem(path, problem);
        if (!close) throw fail(`unclosed reference "\${${inner}": write \${env:NAME}, or $\${ for a literal \${`);
        const name = ENV_REFERENCE.exec(inner ?? '')?.[1];
        if (!name) throw fail(`unsupported reference "\${${inner}}": only \${env:NAME} is supported`);
        const resolved = env[name];
        if (resolved === undefined && mode === 'check') {
          unresolved.add(path.join('.'));
          return whole;
        }
        if (resolved === undefined) throw fail(`environment variable ${name} is not set (referenced as \${env:${name}})`);
        if (resolved.length < MIN_SECRET_LENGTH) {
          const length = resolved ? `shorter than ${MIN_SECRET_LENGTH} characters` : 'empty';
          throw fail(`environment variable ${name} is ${length}; a referenced value must be long enough to be redacted from logs`);
        }
        registerSecret(resolved);
        return resolved;
      });
      // Every reference either resolved, was left unresolved (check), or threw above.
      if (hasReferences(value)) referenced.add(path.join('.'));
      return text;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };
  return { value: walk(settings, []), referenced, unresolved };
}
