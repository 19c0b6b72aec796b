// Lints source texts as if they were files of the repository, with the real eslint.config.mjs,
// and prints each one's messages as JSON. Run by import-arrows.test.ts in a plain node
// process: ESLint loads its config with a dynamic import, which jest's VM does not allow.
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });
const cases = JSON.parse(process.argv[2]);
const out = [];
for (const [file, source] of cases) {
  const [result] = await eslint.lintText(source, { filePath: `${process.cwd()}/${file}` });
  out.push(result.messages.map((message) => ({ ruleId: message.ruleId, message: message.message })));
}
process.stdout.write(JSON.stringify(out));
