// The shape of router.yaml as a zod schema: what loadConfig() validates first, and what
// scripts/gen-schemas.ts publishes as router.schema.json for editors. Cross-references
// (targets named by routes, matcher syntax, each target type's own settings, secret
// references) are checked afterwards by config.ts, where the target types are loaded.
import { z } from 'zod';
import { SEVERITIES } from '../model/alert';
import { MAP_FIELDS, MATCHER_FIELDS } from './matcher';
import { targetTypes } from '../targets/registry';
import { stateSettings } from '../state/settings';

/** Keys every target has; the rest of a target's keys are its type's own settings. */
export const COMMON_TARGET_KEYS = ['type', 'timeoutMs', 'retries'] as const;

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_RETRIES = 2;
/** Lambda's and FC's longest run is 15 minutes: no attempt can take longer. */
export const MAX_TIMEOUT_MS = 900_000;
export const MAX_RETRIES = 10;

/** Target names appear in logs, reports and the command line: keep them plain. */
export const TARGET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const timeoutMs = z
  .number()
  .int()
  .min(1)
  .max(MAX_TIMEOUT_MS)
  .describe(`Timeout of one attempt in milliseconds (default ${DEFAULT_TIMEOUT_MS})`);
const retries = z
  .number()
  .int()
  .min(0)
  .max(MAX_RETRIES)
  .describe(`Retries after the first attempt, for retryable failures only (default ${DEFAULT_RETRIES})`);

// For editors only: config.ts parses matchers itself, with messages that say what is wrong.
const MATCHER_SHAPE = `^\\s*\\{?\\s*(\\}?\\s*$|(${MATCHER_FIELDS.join('|')}|(${MAP_FIELDS.join('|')})\\.[^\\s=!~"]+)\\s*(=~|!~|!=|=))`;

const matcher = z
  .string()
  .describe(
    'NAME OP VALUE, OP one of = != =~ !~; NAME an alert field, labels.<key> or annotations.<key>; ' +
      'or several, comma-separated, optionally in braces',
  )
  .meta({
    pattern: MATCHER_SHAPE,
    examples: ['severity="critical"', 'name=~".*[Cc]ritical.*"', 'labels.team!="db"', '{severity="critical", labels.team=~"db|web"}'],
  });
const matchers = z.array(matcher).describe('All must match (an empty list matches every alert)');

const targetList = z.array(z.string().min(1)).describe('Names of targets defined under `targets`');
const muted = z
  .enum(['skip', 'deliver'])
  .describe('CloudWatch alerts inside an active mute window: skip or deliver them (inherited, default skip)');

export interface RouteFile {
  matchers?: string[];
  targets?: string[];
  continue?: boolean;
  muted?: 'skip' | 'deliver';
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: RouteFile[];
}

const intervalNames = (what: string) =>
  z
    .array(z.string().min(1))
    .describe(`Names of time intervals defined under \`timeIntervals\`: ${what} (not inherited by child routes, as in Alertmanager)`);

const routeSchema: z.ZodType<RouteFile> = z
  .strictObject({
    matchers: matchers.optional(),
    targets: targetList.optional().describe('Targets of this route; inherited from the parent when not set'),
    continue: z.boolean().optional().describe('After a match, go on to try the next sibling route (default false)'),
    muted: muted.optional(),
    muteTimeIntervals: intervalNames('the route delivers nothing while any of them holds').optional(),
    activeTimeIntervals: intervalNames('the route delivers only while one of them holds').optional(),
    get routes() {
      return childRoutes;
    },
  })
  .meta({ id: 'Route', title: 'A child route' });

const childRoutes: z.ZodType<RouteFile[] | undefined> = z
  .array(routeSchema)
  .optional()
  .describe('Child routes, tried in order; the first matching one takes the alert unless it says continue')
  .meta({ id: 'Routes' });

const ROOT_TARGETS_PROBLEM = 'the root route must name at least one target, so that every alert goes somewhere';

// The root matches every alert and has no siblings: matchers and continue mean nothing there.
const ROOT_KEY_PROBLEMS: Record<string, string> = {
  matchers: 'the root route matches every alert and takes no matchers; put them on a child route',
  continue: 'the root route has no siblings, so continue is not allowed here',
  muteTimeIntervals: 'the root route cannot be muted by time intervals (as in Alertmanager); put them on a child route',
  activeTimeIntervals: 'the root route cannot have active time intervals (as in Alertmanager); put them on a child route',
};

const rootRouteSchema = z
  .strictObject(
    {
      targets: z
        .array(z.string().min(1), { error: (issue) => (issue.input === undefined ? ROOT_TARGETS_PROBLEM : undefined) })
        .min(1, { error: ROOT_TARGETS_PROBLEM })
        .describe('Targets of alerts that no child route takes; inherited by child routes that name none'),
      muted: muted.optional(),
      routes: childRoutes,
    },
    {
      error: (issue) => {
        if (issue.code !== 'unrecognized_keys') return undefined;
        const key = issue.keys.find((k) => Object.hasOwn(ROOT_KEY_PROBLEMS, k));
        return key ? ROOT_KEY_PROBLEMS[key] : undefined;
      },
    },
  )
  .describe('The root route: matches every alert');

const severityRule = z
  .strictObject({
    matchers: matchers.min(1, { error: 'a severity rule needs at least one matcher' }),
    severity: z.enum(SEVERITIES),
  })
  .describe('Sets the severity of the alerts it matches');

// Alertmanager's time interval fields, camelCased. Ranges are strings `BEGIN:END` or one
// value; interval.ts parses and checks them with Alertmanager's rules.
const rangeList = (what: string, examples: (string | number)[]) =>
  z
    .array(z.union([z.string(), z.number().int()]))
    .min(1, { error: `list at least one ${what}, or leave the key out` })
    .describe(`${what}: single values or inclusive ranges BEGIN:END; any of them matches`)
    .meta({ examples: [examples] });

const timeRange = z
  .strictObject({
    startTime: z.string().describe('HH:MM, inclusive'),
    endTime: z.string().describe('HH:MM, exclusive; 24:00 is the end of the day'),
  })
  .describe('A range of the day, in the interval\'s location');

export const timeIntervalSchema = z
  .strictObject({
    times: z.array(timeRange).min(1, { error: 'list at least one time range, or leave the key out' }).optional(),
    weekdays: rangeList('weekdays (sunday..saturday)', ['monday:friday', 'saturday']).optional(),
    daysOfMonth: rangeList('days of the month (1..31, or -31..-1 counting from the end)', ['1:7', '-1']).optional(),
    months: rangeList('months (january..december or 1..12)', ['january:march', 'december']).optional(),
    years: rangeList('years', ['2026:2027']).optional(),
    location: z.string().describe('IANA time zone the fields are read in (default UTC), e.g. Asia/Shanghai').optional(),
  })
  .describe('Holds when every field it sets holds (a field left out always holds)');

const timeIntervals = z
  .record(
    z.string().regex(TARGET_NAME_PATTERN, { error: 'a time interval name is letters, digits, - and _, starting with a letter or digit' }),
    z.array(timeIntervalSchema).min(1, { error: 'list at least one interval' }),
  )
  .describe('Named time intervals (Alertmanager time_intervals): a name holds when any of its intervals holds');

const silence = z
  .strictObject({
    matchers: matchers.min(1, { error: 'a silence needs at least one matcher' }),
    startsAt: z.string().describe('RFC 3339 time the silence starts, e.g. 2026-12-01T22:00:00Z'),
    endsAt: z.string().describe('RFC 3339 time the silence ends (exclusive)'),
    createdBy: z.string().min(1).describe('Who created it'),
    comment: z.string().min(1).describe('Why'),
  })
  .describe('Holds back every target of the alerts it matches between startsAt and endsAt');

export const commonTargetShape = {
  type: z.string(),
  timeoutMs: timeoutMs.optional(),
  retries: retries.optional(),
};

/** A target as config.ts validates it: a known type, the common keys, any settings. */
export function looseTargetSchema(types: readonly string[] = Object.keys(targetTypes)): z.ZodType {
  return z.looseObject({
    ...commonTargetShape,
    type: z.enum(types as [string, ...string[]], {
      error: (issue) =>
        issue.input === undefined
          ? `is required; known types: ${types.join(', ')}`
          : `unknown target type ${JSON.stringify(issue.input)}; known types: ${types.join(', ')}`,
    }),
  });
}

/**
 * The whole file. `target` validates one entry under `targets:`; config.ts passes the
 * loose form, the published JSON Schema a union of each type's own settings.
 */
export function routerFileSchema(target: z.ZodType = looseTargetSchema()) {
  return z
    .strictObject({
      version: z.literal(1, { error: 'must be 1, the only version of router.yaml this router reads' }),
      defaults: z
        .strictObject({ timeoutMs: timeoutMs.optional(), retries: retries.optional() })
        .optional()
        .describe('Apply to every target that does not set its own'),
      severity: z
        .array(severityRule)
        .optional()
        .describe("Enrichment: the first matching rule sets the alert's severity; none matching keeps it"),
      targets: z
        .record(
          z.string().regex(TARGET_NAME_PATTERN, {
            error: 'a target name is letters, digits, - and _, starting with a letter or digit',
          }),
          target,
        )
        .describe('Named targets; each has a type and that type’s settings'),
      route: rootRouteSchema,
      timeIntervals: timeIntervals.optional(),
      silences: z.array(silence).optional().describe('Silences, as in Alertmanager'),
      state: stateSettings.optional(),
    })
    .meta({ title: 'router.yaml', description: 'Configuration of the multi-cloud alert router' });
}

export type RouterFile = z.output<ReturnType<typeof routerFileSchema>>;

/**
 * The error map of every parse of router.yaml (and of each target's settings): one plain
 * sentence per issue. Messages a schema sets itself (zod's `error` option) take precedence.
 */
export const plainIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return unknownKeysMessage(issue.keys, issue.inst);
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return boundMessage('at least', issue.origin, issue.minimum, issue.inclusive);
    case 'too_big':
      return boundMessage('at most', issue.origin, issue.maximum, issue.inclusive);
    case 'invalid_format':
      return formatMessage(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_key':
      return issue.issues[0]?.message ?? 'is not a valid key';
    case 'invalid_union':
      return 'matches none of the allowed forms';
    default:
      return undefined;
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // Never the text of a string: after secret resolution it may be a secret.
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function formatMessage(issue: { format: string; pattern?: string; [key: string]: unknown }): string {
  switch (issue.format) {
    case 'regex':
      return `must match the pattern ${issue.pattern}`;
    case 'starts_with':
      return `must start with ${JSON.stringify(issue.prefix)}`;
    case 'ends_with':
      return `must end with ${JSON.stringify(issue.suffix)}`;
    case 'includes':
      return `must contain ${JSON.stringify(issue.includes)}`;
    default:
      return `is not a valid ${issue.format}`;
  }
}

/** `unknown key "urll"; valid keys here: ...`, the valid keys read from the object schema. */
export function unknownKeysMessage(keys: string[], inst: unknown, extraValidKeys: readonly string[] = []): string {
  const listed = keys.map((k) => JSON.stringify(k)).join(', ');
  const head = keys.length === 1 ? `unknown key ${listed}` : `unknown keys ${listed}`;
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  const valid = [...extraValidKeys, ...Object.keys(shape ?? {})];
  return valid.length > 0 ? `${head}; valid keys here: ${valid.join(', ')}` : head;
}

function boundMessage(word: 'at least' | 'at most', origin: string, bound: number | bigint, inclusive?: boolean): string {
  const limit = inclusive === false ? (word === 'at least' ? `more than ${bound}` : `less than ${bound}`) : `${word} ${bound}`;
  switch (origin) {
    case 'array':
      return `must list ${limit} item${bound === 1 ? '' : 's'}`;
    case 'string':
      return bound === 1 && word === 'at least' ? 'must not be empty' : `must be ${limit} characters long`;
    default:
      return `must be ${limit}`;
  }
}
