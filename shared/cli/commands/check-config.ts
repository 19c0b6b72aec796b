import type { Route } from '../../route/types';
import { defineCommand, noMoreArgs } from '../command';

function countRoutes(route: Route): number {
  return 1 + route.routes.reduce((sum, child) => sum + countRoutes(child), 0);
}

export default defineCommand({
  name: 'check-config',
  summary: 'validate a routing config',
  usage: '[CONFIG]',
  description: 'CONFIG is the file to check, like --config. An invalid file exits 2 with its line and the path inside it.',
  examples: ['check-config', 'check-config router.yaml'],
  takesConfig: true,
  async run(ctx) {
    noMoreArgs(ctx, 1);
    const config = await ctx.loadConfig(ctx.args[0]);
    const targets = Object.values(config.targets);
    ctx.print(
      `${config.file}: valid: ${targets.length} target(s) (${targets.map((t) => `${t.name}: ${t.type}`).join(', ')}), ` +
        `${countRoutes(config.route)} route(s), ${config.severityRules.length} severity rule(s)`,
    );
    return 0;
  },
});
