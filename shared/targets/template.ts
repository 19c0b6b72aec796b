// Message templates: Mustache, logic-less, so router.yaml can never execute code.
// Targets render their default templates, or the user's from `template:` in router.yaml.
import Mustache from 'mustache';
import type { Alert } from '../model/alert';

/** What a template sees: the alert's fields plus a few ready-made display values. */
export function templateView(alert: Alert): Record<string, unknown> {
  return {
    ...alert,
    statusUpper: alert.status.toUpperCase(),
    severityUpper: alert.severity.toUpperCase(),
    isFiring: alert.status === 'firing',
    isResolved: alert.status === 'resolved',
    consoleUrl: alert.links[0]?.url ?? null,
    labelList: Object.entries(alert.labels).map(([key, value]) => ({ key, value })),
    annotationList: Object.entries(alert.annotations).map(([key, value]) => ({ key, value })),
  };
}

export interface RenderOptions {
  /** Escape for HTML (Mustache's default); plain text and markdown targets leave text as is. */
  escape?: 'html' | 'none';
}

export function renderTemplate(template: string, alert: Alert, options: RenderOptions = {}): string {
  const escape = options.escape === 'html' ? Mustache.escape : (text: string) => text;
  return Mustache.render(template, templateView(alert), undefined, { escape });
}
