import type { AlertState } from '../../state';
import { defineCommand, noMoreArgs } from '../command';
import { renderTable } from '../table';
import { openConfiguredState, toldSummary } from '../state-store';

/** Firing and acknowledged alerts first, each group newest first. */
function byUrgency(a: AlertState, b: AlertState): number {
  const open = (s: AlertState) => (s.status === 'firing' || s.status === 'acknowledged' ? 0 : 1);
  return open(a) - open(b) || Date.parse(b.since ?? '') - Date.parse(a.since ?? '') || a.name.localeCompare(b.name);
}

export default defineCommand({
  name: 'state list',
  summary: "the alerts the state store holds: status, since when, what each target was told",
  usage: '[--firing] [--json]',
  description: "Reads the store named in router.yaml's state: section (the default: out/state). Both clouds' alerts are in it.",
  examples: ['state list', 'state list --firing', 'state list --json'],
  options: {
    firing: { type: 'boolean', description: 'only the alerts firing (or acknowledged) now' },
    json: { type: 'boolean', description: 'print the stored states as JSON' },
  },
  takesConfig: true,
  async run(ctx) {
    noMoreArgs(ctx, 0);
    const config = await ctx.loadConfig();
    const alerts = await openConfiguredState(config, (state) => state.alerts.list());
    const shown = alerts.filter((a) => !ctx.values.firing || a.status === 'firing' || a.status === 'acknowledged').sort(byUrgency);
    if (ctx.values.json) {
      ctx.print(JSON.stringify(shown, null, 2));
      return 0;
    }
    const firing = alerts.filter((a) => a.status === 'firing' || a.status === 'acknowledged').length;
    if (shown.length > 0) {
      ctx.print(
        renderTable(
          ['status', 'since', 'cloud', 'alert', 'targets told', 'dedupKey'],
          shown.map((a) => [a.status, a.since ?? '-', a.cloud, a.name, toldSummary(a), a.dedupKey]),
          { 3: 40, 4: 60, 5: 80 },
        ),
      );
    }
    ctx.print(`${alerts.length} alert(s) in the ${config.state?.store} store: ${firing} firing or acknowledged`);
    return 0;
  },
});
