import { defineCommand, noMoreArgs, requireArg } from '../command';
import { checkReadable } from '../events';
import { templatePreviews, templateRender } from '../template-render';

export default defineCommand({
  name: 'template render',
  summary: 'show the message a target would send for an event (nothing is sent)',
  usage: 'TARGET FILE [--json]',
  description:
    'TARGET is a target name from the routing config; every target type renders. Chat messages show as the\n' +
    'service would show them (text), tickets as their title and body, webhook and cloud payloads as JSON.\n' +
    "Secret references must resolve: set the variables (any value will do, nothing is sent).",
  examples: [
    'template render console events/aws/state-change-single-metric.json',
    'template render team-slack events/alibaba/arms-chinese-p1.json --config docs/examples/team.yaml',
    'template render am-bridge events/alibaba/arms-batch.json --config docs/examples/team.yaml --json',
  ],
  takesConfig: true,
  options: { json: { type: 'boolean', default: false, description: 'the raw body as JSON (an array for a batch file)' } },
  async run(ctx) {
    const target = requireArg(ctx, 0, 'TARGET (a target name from the config)');
    const file = requireArg(ctx, 1, 'FILE (an event file)');
    noMoreArgs(ctx, 2);
    await checkReadable(file);
    const config = await ctx.loadConfig();
    if (ctx.values.json) {
      ctx.print(await templateRender(target, file, config));
      return 0;
    }
    const previews = await templatePreviews(target, file, config);
    const shown = previews.map((preview) => (preview.skip ? `(not sent: ${preview.skip})\n${preview.text}` : preview.text));
    ctx.print(shown.map((text, i) => (shown.length > 1 ? `── alert ${i + 1} of ${shown.length} ──\n${text}` : text)).join('\n\n'));
    return 0;
  },
});
