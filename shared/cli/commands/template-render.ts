import { defineCommand, noMoreArgs, requireArg } from '../command';
import { checkReadable } from '../events';
import { templateRender } from '../template-render';

export default defineCommand({
  name: 'template render',
  summary: 'show the message a target would send for an event (nothing is sent)',
  usage: 'TARGET FILE',
  description: 'TARGET is a target name from the routing config.',
  examples: ['template render console events/aws/state-change-single-metric.json'],
  takesConfig: true,
  async run(ctx) {
    const target = requireArg(ctx, 0, 'TARGET (a target name from the config)');
    const file = requireArg(ctx, 1, 'FILE (an event file)');
    noMoreArgs(ctx, 2);
    await checkReadable(file);
    ctx.print(await templateRender(target, file, await ctx.loadConfig()));
    return 0;
  },
});
