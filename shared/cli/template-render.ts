// `router template render TARGET FILE`: the payload a target would send for each alert of an
// event file, rendered from its templates (defaults or the config's overrides) exactly as
// send() renders it, with the config's severity rules applied first. Nothing is sent.
import { ConfigError } from '../model/errors';
import { normalizeEvent } from '../normalize';
import { loadConfig } from '../route/config';
import type { RouterConfig } from '../route/types';
import { applySeverityRules } from '../route/severity';
import { loadTargetType } from '../targets/registry';
import { readEventFile } from './events';

/**
 * The rendered payload as pretty JSON: one object for a single event, an array for a batch
 * file. An unknown target name, or a target type without templates, is a ConfigError.
 */
export async function templateRender(targetName: string, eventFile: string, configOrFile?: RouterConfig | string): Promise<string> {
  const config = typeof configOrFile === 'object' ? configOrFile : await loadConfig(configOrFile);
  const target = Object.hasOwn(config.targets, targetName) ? config.targets[targetName] : undefined;
  if (!target) {
    const known = Object.keys(config.targets).join(', ') || 'none';
    throw new ConfigError(config.file, `targets.${targetName}`, `is not defined (targets: ${known})`);
  }
  const type = await loadTargetType(target.type);
  const render = type?.render;
  if (!render) {
    throw new ConfigError(config.file, `targets.${targetName}.type`, `target type "${target.type}" sends no templated message: nothing to render`);
  }
  const renderEvent = (raw: unknown) => render(applySeverityRules(normalizeEvent(raw), config.severityRules), target.settings);
  const value = await readEventFile(eventFile);
  return JSON.stringify(Array.isArray(value) ? value.map(renderEvent) : renderEvent(value), null, 2);
}
