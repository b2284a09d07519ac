import { build } from 'esbuild';
import { esbuildOptions, loadTemplate } from '@ledgerflow/lambda-runtime';
const template = loadTemplate({ templatePath: 'template.yaml' } as never);
for (const fn of template.functions.values()) {
  if (!fn.build || (process.argv[2] && fn.logicalId !== process.argv[2])) continue;
  const r = await build({ ...esbuildOptions(fn, `/tmp/split/${fn.logicalId}`), splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  const outs = Object.entries(r.metafile!.outputs).filter(([k]) => k.endsWith('.mjs'));
  const entry = outs.find(([k]) => k.endsWith('/handler.mjs'))!;
  const byName = new Map(outs);
  const seen = new Set<string>();
  const visit = (p: string) => { if (seen.has(p)) return; seen.add(p); for (const i of byName.get(p)!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path); };
  visit(entry[0]);
  const staticBytes = [...seen].reduce((s, p) => s + byName.get(p)!.bytes, 0);
  const all = outs.reduce((s, [, o]) => s + o.bytes, 0);
  console.log(fn.logicalId, 'static', (staticBytes / 1024).toFixed(1), 'all', (all / 1024).toFixed(1), 'files', outs.length);
  for (const [p, o] of outs.filter(([p]) => !seen.has(p)).sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8)) console.log('   lazy', (o.bytes / 1024).toFixed(1), Object.keys(o.inputs).slice(0, 2).join(' ').replace(/..\/..\/node_modules\//g, ''));
}
