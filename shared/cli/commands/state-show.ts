import type { AlertState } from '../../state';
import { defineCommand, noMoreArgs, requireArg, UsageError } from '../command';
import { renderTable } from '../table';
import { openConfiguredState } from '../state-store';

/**
 * The alert a KEY names: its dedupKey, else the one alert of that name (alarms of one name in
 * two regions are two alerts), else the one whose name or dedupKey contains it.
 */
function pick(key: string, alerts: AlertState[]): AlertState {
  const byKey = alerts.find((a) => a.dedupKey === key);
  if (byKey) return byKey;
  const named = alerts.filter((a) => a.name === key);
  const candidates = named.length > 0 ? named : alerts.filter((a) => a.dedupKey.includes(key) || a.name.includes(key));
  const [only] = candidates;
  if (only && candidates.length === 1) return only;
  if (!only) throw new UsageError(`no alert in the store has the dedupKey or name ${JSON.stringify(key)} (state list shows them)`);
  throw new UsageError(
    `${candidates.length} alerts match ${JSON.stringify(key)}, give one's dedupKey: ${candidates.slice(0, 5).map((a) => a.dedupKey).join(', ')}${candidates.length > 5 ? ', ...' : ''}`,
  );
}

export default defineCommand({
  name: 'state show',
  summary: "one alert's state and history: what each target was told, with its ref, event by event",
  usage: 'KEY [--json]',
  description: 'KEY is the dedupKey, the alert name, or a part of either that names one alert.',
  examples: ['state show ServerCpuTooHigh', 'state show arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh --json'],
  options: { json: { type: 'boolean', description: 'print the stored state as JSON' } },
  takesConfig: true,
  async run(ctx) {
    const key = requireArg(ctx, 0, 'KEY');
    noMoreArgs(ctx, 1);
    const config = await ctx.loadConfig();
    // A dedupKey is one read; a name or a part of one needs the whole list (a Scan on DynamoDB).
    const alert = await openConfiguredState(config, async (state) => (await state.alerts.read(key)) ?? pick(key, await state.alerts.list()));
    if (ctx.values.json) {
      ctx.print(JSON.stringify(alert, null, 2));
      return 0;
    }
    const firing = alert.firingSince ? ` (firing since ${alert.firingSince})` : '';
    ctx.print(
      [
        `${alert.name} (${alert.provider}, ${alert.severity})`,
        `dedupKey    ${alert.dedupKey}`,
        `status      ${alert.status} since ${alert.since ?? '-'}${firing}`,
        `last event  ${alert.lastEvent.id} (${alert.lastEvent.status} at ${alert.lastEvent.at ?? '-'})`,
        '',
      ].join('\n'),
    );
    const targets = Object.entries(alert.targets).sort(([a], [b]) => a.localeCompare(b));
    if (targets.length > 0) {
      ctx.print(renderTable(['target', 'told', 'at', 'by event', 'ref'], targets.map(([name, t]) => [name, t.status, t.at, t.eventId, t.ref ?? '-'])));
      ctx.print('');
    }
    ctx.print(
      renderTable(
        ['event time', 'event', 'status', 'deliveries'],
        alert.history.map((h) => [h.eventAt ?? h.appliedAt, h.eventId, h.status, Object.entries(h.deliveries).map(([t, o]) => `${t}:${o}`).join(' ')]),
        { 3: 100 },
      ),
    );
    return 0;
  },
});
