import { normalizeEvent } from '../../normalize';
import { planAlert } from '../../runtime/pipeline';
import { defineCommand, noMoreArgs, requireArg } from '../command';
import { readEventFile } from '../events';

export default defineCommand({
  name: 'routes test',
  summary: 'show which targets each alert of an event file reaches (nothing is sent)',
  usage: 'FILE [--json]',
  description: 'One line per alert: its targets, comma-separated, `(held back)` after a target a mute window, silence or time interval holds back.',
  examples: ['routes test events/aws/state-change-single-metric.json', 'routes test events/alibaba/arms-batch.json --json'],
  takesConfig: true,
  options: { json: { type: 'boolean', default: false, description: 'one JSON array: each alert, its targets, muted targets and routes' } },
  async run(ctx) {
    const file = requireArg(ctx, 0, 'FILE (an event file)');
    noMoreArgs(ctx, 1);
    const value = await readEventFile(file);
    const config = await ctx.loadConfig();
    const plans = (Array.isArray(value) ? value : [value]).map((event) => planAlert(normalizeEvent(event), config));
    if (ctx.values.json) {
      ctx.print(
        JSON.stringify(
          plans.map((plan) => ({
            alert: { id: plan.alert.id, name: plan.alert.name, status: plan.alert.status, severity: plan.alert.severity },
            targets: plan.targets,
            held: plan.held,
            routes: plan.routes.map((route) => route.path),
          })),
          null,
          2,
        ),
      );
    } else {
      for (const plan of plans) {
        ctx.print(plan.targets.map((name) => (plan.held.some((held) => held.target === name) ? `${name} (held back)` : name)).join(','));
      }
    }
    return 0;
  },
});
