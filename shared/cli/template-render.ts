// What a target would send for each alert of an event file, rendered from its templates
// (defaults or the config's overrides) exactly as send() renders it, with the config's
// severity rules applied first. Nothing is sent. Used by `template render` and `report`.
import { redact } from '../log';
import type { Alert } from '../model/alert';
import { ConfigError } from '../model/errors';
import { loadConfig } from '../route/config';
import { applySeverityRules } from '../route/severity';
import type { RouterConfig } from '../route/types';
import { loadTargetType } from '../targets/registry';
import { alertsOfFile, readEventFile } from './events';
import { messageText, payloadKind, type PayloadKind } from './message-text';

export interface Preview {
  target: string;
  type: string;
  kind: PayloadKind;
  /** The body as sent (or, for a target that would skip the alert, why). */
  payload: unknown;
  /** The payload as a person reads it: chat as text, tickets as title and body, the rest as JSON. */
  text: string;
  /** Why the target would send nothing for this alert: its status filter, or a status it maps to skip. */
  skip?: string;
}

/** The `statuses` setting of chat and lifecycle targets: an alert of another status is not sent. */
function statusFilter(settings: unknown): string[] | undefined {
  const statuses = (settings as { statuses?: unknown } | null)?.statuses;
  return Array.isArray(statuses) ? statuses.map(String) : undefined;
}

/** A rendered payload that says it would not be sent (`{action: 'skip'}`, `{skip: ...}`). */
function renderedSkip(payload: unknown): string | undefined {
  const p = (payload ?? {}) as { action?: unknown; skip?: unknown; detail?: unknown };
  if (typeof p.skip === 'string') return p.skip;
  if (p.action === 'skip') return typeof p.detail === 'string' ? p.detail : 'the status maps to skip';
  return undefined;
}

/** The renderer of a target name; an unknown name, or a type without one, is a ConfigError. */
export async function targetRenderer(config: RouterConfig, targetName: string): Promise<(alert: Alert) => Preview> {
  const target = Object.hasOwn(config.targets, targetName) ? config.targets[targetName] : undefined;
  if (!target) {
    const known = Object.keys(config.targets).join(', ') || 'none';
    throw new ConfigError(config.file, `targets.${targetName}`, `is not defined (targets: ${known})`);
  }
  const type = await loadTargetType(target.type);
  const render = type?.render?.bind(type);
  if (!render) {
    throw new ConfigError(config.file, `targets.${targetName}.type`, `target type "${target.type}" sends no templated message: nothing to render`);
  }
  const statuses = statusFilter(target.settings);
  return (alert) => {
    // A secret a template or a setting puts in the payload (a token in Jira `fields`) is shown redacted.
    const payload = JSON.parse(redact(JSON.stringify(render(alert, target.settings, targetName)))) as unknown;
    const skip =
      statuses && !statuses.includes(alert.status) ? `status ${alert.status} is not in its statuses (${statuses.join(', ')})` : renderedSkip(payload);
    return { target: targetName, type: target.type, kind: payloadKind(target.type), payload, text: redact(messageText(target.type, payload)), ...(skip ? { skip } : {}) };
  };
}

/** One preview per alert of the event file (a batch file has several). */
export async function templatePreviews(targetName: string, eventFile: string, config: RouterConfig): Promise<Preview[]> {
  const render = await targetRenderer(config, targetName);
  return alertsOfFile(eventFile, await readEventFile(eventFile)).map((alert) => render(applySeverityRules(alert, config.severityRules)));
}

/**
 * The rendered payload as pretty JSON: one object for a single event, an array for a batch
 * file.
 */
export async function templateRender(targetName: string, eventFile: string, configOrFile?: RouterConfig | string): Promise<string> {
  const config = typeof configOrFile === 'object' ? configOrFile : await loadConfig(configOrFile);
  const previews = await templatePreviews(targetName, eventFile, config);
  const value = await readEventFile(eventFile);
  return JSON.stringify(Array.isArray(value) ? previews.map((p) => p.payload) : previews[0]?.payload, null, 2);
}
