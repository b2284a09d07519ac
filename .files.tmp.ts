import { build } from 'esbuild';
import { esbuildOptions, loadTemplate } from '@ledgerflow/lambda-runtime';
const template = loadTemplate({ templatePath: 'template.yaml' });
const fn = template.functions.get(process.argv[2]!)!;
const r = await build({ ...esbuildOptions(fn, `/tmp/bundles3/${fn.logicalId}`) });
const outs = new Map(Object.entries(r.metafile!.outputs).filter(([k]) => k.endsWith('.mjs')));
const entry = [...outs.keys()].find((k) => k.endsWith('/handler.mjs'))!;
const seen = new Set<string>();
const visit = (p: string) => { if (seen.has(p)) return; seen.add(p); for (const i of outs.get(p)!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path); };
visit(entry);
const by = new Map<string, number>();
for (const p of seen) for (const [input, { bytesInOutput }] of Object.entries(outs.get(p)!.inputs)) {
  const k = input.replace(/.*node_modules\//, '').replace(/(dist-es\/submodules\/[^/]+\/[^/]+|dist-es\/[^/]+|lib\/[^/]+).*/, '$1');
  by.set(k, (by.get(k) ?? 0) + bytesInOutput);
}
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) console.log((v / 1024).toFixed(1).padStart(7), k);
