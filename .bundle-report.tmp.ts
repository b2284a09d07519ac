import { build } from 'esbuild';
import { esbuildOptions, loadTemplate } from '@ledgerflow/lambda-runtime';
const template = loadTemplate({ templatePath: process.argv[3] ?? 'template.yaml' });
const out = '/tmp/bundles2';
for (const fn of template.functions.values()) {
  if (!fn.build || (process.argv[2] && process.argv[2] !== 'all' && fn.logicalId !== process.argv[2])) continue;
  const r = await build(esbuildOptions(fn, `${out}/${fn.logicalId}`));
  const outs = new Map(Object.entries(r.metafile!.outputs).filter(([k]) => k.endsWith('.mjs')));
  const entry = [...outs.keys()].find((k) => k.endsWith('/handler.mjs'))!;
  const seen = new Set<string>();
  const visit = (p: string) => { if (seen.has(p)) return; seen.add(p); for (const i of outs.get(p)!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path); };
  visit(entry);
  const byPkg = new Map<string, number>();
  let total = 0;
  for (const p of seen) for (const [input, { bytesInOutput }] of Object.entries(outs.get(p)!.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m ? m[1]! : input.includes('layers/') ? 'layers/' + input.split('layers/')[1]!.split('/')[0] : 'function';
    byPkg.set(key, (byPkg.get(key) ?? 0) + bytesInOutput); total += bytesInOutput;
  }
  const loaded = [...seen].reduce((s, p) => s + outs.get(p)!.bytes, 0);
  console.log(`${fn.logicalId}: loaded ${(loaded / 1024).toFixed(1)} KB (module code ${(total / 1024).toFixed(1)})`);
  console.log('   ' + [...byPkg].sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 3072).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}`).join(', '));
}
