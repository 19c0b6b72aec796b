import { formatRouteTree } from '../../route/tree';
import { defineCommand, noMoreArgs } from '../command';

export default defineCommand({
  name: 'routes show',
  summary: 'print the routing tree',
  usage: '[CONFIG]',
  description: 'CONFIG is the routing config to show, like --config.',
  examples: ['routes show', 'routes show router.yaml'],
  takesConfig: true,
  async run(ctx) {
    noMoreArgs(ctx, 1);
    const config = await ctx.loadConfig(ctx.args[0]);
    ctx.print(formatRouteTree(config.route));
    return 0;
  },
});
