// The page's code generator (www/codegen.js) for tools/verify_exports.py: reads
// `{"base": URL, "jobs": [{"lang": …, "cfg": LossConfig}, …]}` on stdin and prints the generated
// sources as a JSON array, in the same order.
import { generate } from '../../www/codegen.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
try {
  const { base, jobs } = JSON.parse(input);
  process.stdout.write(JSON.stringify(jobs.map(({ lang, cfg }) => generate(lang, cfg, base))));
} catch (e) {
  console.error(`generate.mjs: ${e.message}`);
  process.exit(2);
}
