// Message templates: Mustache, logic-less, so router.yaml can never execute code.
// Targets render their default templates, or the user's from `templates:` in router.yaml.
//
// Mustache looks names up with `in` (prototype chain included) and calls any function it
// finds, so against a plain object view `{{constructor}}`, `{{toString}}` or
// `{{__defineGetter__}}` reach built-in functions and call them. The view is therefore copied
// into plain data without prototypes and without functions: every name a template can reach
// is one of ours, and holds data.
import Mustache from 'mustache';
import { z } from 'zod';
import type { Alert, Severity, Status } from '../model/alert';

/** A colour by meaning; each target maps it onto its own palette. */
export type Colour = 'red' | 'orange' | 'yellow' | 'blue' | 'green' | 'purple' | 'grey';

export interface Style {
  emoji: string;
  label: string;
}

/** How each status shows at a glance. Unicode emoji render in Slack, DingTalk, Lark and WeCom alike. */
export const STATUS_STYLE: Record<Status, Style> = {
  firing: { emoji: '🔥', label: 'FIRING' },
  resolved: { emoji: '✅', label: 'RESOLVED' },
  'insufficient-data': { emoji: '❔', label: 'INSUFFICIENT DATA' },
  acknowledged: { emoji: '👀', label: 'ACKNOWLEDGED' },
  commented: { emoji: '💬', label: 'COMMENTED' },
  'config-created': { emoji: '🆕', label: 'ALARM CREATED' },
  'config-updated': { emoji: '✏️', label: 'ALARM UPDATED' },
  'config-deleted': { emoji: '🗑️', label: 'ALARM DELETED' },
};

export const SEVERITY_STYLE: Record<Severity, Style & { colour: Colour }> = {
  critical: { emoji: '🔴', label: 'CRITICAL', colour: 'red' },
  error: { emoji: '🟠', label: 'ERROR', colour: 'orange' },
  warning: { emoji: '🟡', label: 'WARNING', colour: 'yellow' },
  info: { emoji: '🔵', label: 'INFO', colour: 'blue' },
};

/**
 * The colour of a message: a firing alert takes its severity's colour, a resolved one is
 * green, someone working on it is purple, and everything that is not a problem is grey.
 */
export function alertColour(alert: Pick<Alert, 'status' | 'severity'>): Colour {
  switch (alert.status) {
    case 'firing':
      return SEVERITY_STYLE[alert.severity].colour;
    case 'resolved':
      return 'green';
    case 'acknowledged':
      return 'purple';
    default:
      return 'grey';
  }
}

/** Where the alarm lives, the parts known: `aws 123456789012 us-east-1`. */
export function alertWhere(alert: Pick<Alert, 'cloud' | 'account' | 'region'>): string {
  return [alert.cloud, alert.account, alert.region].filter(Boolean).join(' ');
}

/** When it happened: observedAt, else startsAt, else the event's time. */
export function alertTime(alert: Pick<Alert, 'observedAt' | 'startsAt' | 'source'>): string | null {
  return alert.observedAt ?? alert.startsAt ?? alert.source.time;
}

/** Copies JSON-like data into objects and arrays without prototypes; functions are dropped. */
function plainData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (Array.isArray(value)) {
    const copy: unknown[] = value.map(plainData);
    // Still an array for Mustache's sections (Array.isArray looks at the object, not its prototype).
    return Object.setPrototypeOf(copy, null) as unknown[];
  }
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'function') copy[key] = plainData(item);
  }
  return copy;
}

/**
 * What a template sees: the alert's fields plus ready-made display values (docs/templates.md
 * lists them), and `extra` values of the target. Plain data without prototypes: read it with
 * templates or property access, not with object or array methods.
 */
export function templateView(alert: Alert, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const status = STATUS_STYLE[alert.status];
  const severity = SEVERITY_STYLE[alert.severity];
  const view = {
    ...alert,
    statusUpper: alert.status.toUpperCase(),
    severityUpper: alert.severity.toUpperCase(),
    statusLabel: status.label,
    statusEmoji: status.emoji,
    severityLabel: severity.label,
    severityEmoji: severity.emoji,
    colour: alertColour(alert),
    isFiring: alert.status === 'firing',
    isResolved: alert.status === 'resolved',
    isAcknowledged: alert.status === 'acknowledged',
    isCommented: alert.status === 'commented',
    isInsufficientData: alert.status === 'insufficient-data',
    isConfigChange: alert.kind === 'config-change',
    consoleUrl: alert.links[0]?.url ?? null,
    /** The description, or empty when it only repeats the summary. */
    details: alert.description.trim() === alert.summary.trim() ? '' : alert.description,
    time: alertTime(alert),
    where: alertWhere(alert),
    labelList: Object.entries(alert.labels).map(([key, value]) => ({ key, value })),
    annotationList: Object.entries(alert.annotations).map(([key, value]) => ({ key, value })),
    ...extra,
  };
  return plainData(view) as Record<string, unknown>;
}

export type Escape = 'html' | 'none' | 'markup' | ((text: string) => string);

export interface RenderOptions {
  /**
   * How `{{name}}` escapes values (`{{{name}}}` never does): `html` (Mustache's default),
   * `markup` (only &, < and >: Slack mrkdwn, Lark lark_md), `none` for plain text and
   * plain markdown targets, or a function of the target's own.
   */
  escape?: Escape;
}

/**
 * Slack mrkdwn and Lark lark_md reserve &, < and > (entities, links, mentions, tags); both
 * read the three entities back. Full HTML escaping would show `&#x2F;` in every URL.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeFunction(escape: Escape | undefined): (text: string) => string {
  if (typeof escape === 'function') return escape;
  if (escape === 'html') return Mustache.escape;
  if (escape === 'markup') return escapeMarkup;
  return (text) => text;
}

/**
 * Any value of the view as text: strings as they are, numbers and booleans as JSON writes
 * them, lists joined with `, `, maps as JSON. (The view's lists and maps have no prototype:
 * String() would throw on them, and Mustache hands escape() whatever it finds.)
 */
export function viewText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return Array.prototype.map.call(value, viewText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A symbol or a function: never in a view made from JSON (and Mustache's lookup() calls functions).
  return '';
}

/** The value a name token (`['name', 'alert.name', start, end]`) refers to. */
function lookup(token: string[], context: Mustache.Context): unknown {
  const name = token[1];
  return name === undefined ? undefined : context.lookup(name);
}

/** Mustache's writer, with every interpolated value turned into text before it is escaped. */
class TextWriter extends Mustache.Writer {
  override unescapedValue(token: string[], context: Mustache.Context): string {
    const value = lookup(token, context);
    return value == null ? (undefined as unknown as string) : viewText(value);
  }

  override escapedValue(token: string[], context: Mustache.Context, config?: Mustache.RenderOptions): string {
    const value = lookup(token, context);
    const escape = (typeof config === 'object' && !Array.isArray(config) && config.escape) || Mustache.escape;
    return value == null ? (undefined as unknown as string) : escape(viewText(value));
  }
}

const writer = new TextWriter();

/** Renders a template against a view built by templateView (several templates, one view). */
export function renderView(template: string, view: Record<string, unknown>, options: RenderOptions = {}): string {
  // No partials: `{{> name}}` renders nothing rather than reading anything.
  return writer.render(template, view, {}, { escape: escapeFunction(options.escape) });
}

/**
 * A Mustache template setting, checked when router.yaml loads: a template that does not
 * parse is a config error naming the setting, never a failure at every delivery.
 */
export const templateText = z.string().superRefine((template, ctx) => {
  try {
    writer.parse(template);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid Mustache template: ${(err as Error).message}` });
  }
});

/**
 * The `templates:` setting of a target: every text it sends has a Mustache default that the
 * user may override; unknown keys are refused so a typo does not silently keep the default.
 */
export function templatesSetting<K extends string>(defaults: Readonly<Record<K, string>>) {
  const shape = Object.fromEntries(Object.entries<string>(defaults).map(([key, value]) => [key, templateText.default(value)]));
  const schema = z.object(shape as Record<K, z.ZodDefault<typeof templateText>>).strict();
  // Every key has a default, so an absent `templates:` is an empty object.
  return schema.prefault({} as z.input<typeof schema>).describe(`Mustache templates: ${Object.keys(defaults).join(', ')}`);
}

export function renderTemplate(template: string, alert: Alert, options: RenderOptions = {}): string {
  return renderView(template, templateView(alert), options);
}

// --- Length limits -------------------------------------------------------------------

/**
 * How a service counts: `chars` in UTF-16 code units (JavaScript's length; never less than
 * the number of characters, so a limit in characters is kept), `bytes` in UTF-8, `json` in
 * UTF-8 bytes once escaped inside a JSON string (for limits on a whole request body).
 */
export type LengthUnit = 'chars' | 'bytes' | 'json';

const ELLIPSIS = '…';

function utf8Size(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/** JSON.stringify writes `"`, a backslash and the short escapes in 2 bytes, other controls and lone surrogates in 6. */
function jsonSize(codePoint: number): number {
  if (codePoint === 0x22 || codePoint === 0x5c || [0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(codePoint)) return 2;
  if (codePoint < 0x20 || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return 6;
  return utf8Size(codePoint);
}

function codePointSize(codePoint: number, unit: LengthUnit): number {
  if (unit === 'chars') return codePoint > 0xffff ? 2 : 1;
  return unit === 'bytes' ? utf8Size(codePoint) : jsonSize(codePoint);
}

export function measure(text: string, unit: LengthUnit): number {
  if (unit === 'chars') return text.length;
  if (unit === 'bytes') return Buffer.byteLength(text, 'utf8');
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * Cuts text to at most `max` units, ending with an ellipsis when cut. Cuts only between
 * code points, so a Chinese character or an emoji is never split into invalid bytes.
 */
export function truncate(text: string, max: number, unit: LengthUnit = 'chars'): string {
  if (measure(text, unit) <= max) return text;
  const budget = max - measure(ELLIPSIS, unit);
  if (budget < 0) return '';
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = codePointSize(char.codePointAt(0) ?? 0, unit);
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end) + ELLIPSIS;
}
