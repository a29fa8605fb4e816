// The page's code generator (www/codegen.js) for tools/verify_exports.py: reads
// `{"base": URL, "jobs": [{"lang": …, "cfg": LossConfig}, …]}` on stdin (a LossConfig's missing
// fields take the engine's defaults) and prints the generated sources as a JSON array, in order.
import { generate } from '../../www/codegen.js';
import { LOSS_DEFAULTS } from '../../www/options.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
try {
  const { base, jobs } = JSON.parse(input);
  process.stdout.write(JSON.stringify(jobs.map(({ lang, cfg }) => generate(lang, { ...LOSS_DEFAULTS, ...cfg }, base))));
} catch (e) {
  console.error(`generate.mjs: ${e.message}`);
  process.exit(2);
}
