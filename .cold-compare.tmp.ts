import { writeFileSync, readFileSync } from 'node:fs';
import { coldStartStage } from './bench/stages/cold-start.ts';
import { defaultSizes } from './bench/lib/cli.ts';
const runs = Number(process.argv[2] ?? 5);
writeFileSync('/tmp/coldbefore/template.yaml', readFileSync('template.yaml', 'utf8').replace(/^ {8}# Modules the SDK loads with import\(\)[^\n]*\n[^\n]*\n {8}Splitting: true\n {8}ChunkNames: [^\n]*\n/gm, ''));
const results: Record<string, Record<string, number[]>> = { before: {}, after: {} };
for (let run = 0; run < runs; run++) {
  for (const [variant, repoRoot] of [['before', '/tmp/coldbefore'], ['after', process.cwd()]] as const) {
    const figures = await coldStartStage.run({ tiny: false, sizes: { ...defaultSizes, coldStartRuns: 5 }, repoRoot, log: () => {}, fail: (r) => console.error('FAIL', variant, r) });
    for (const f of figures) (results[variant]![f.name] ??= []).push(f.value);
    console.error(variant, run, figures.filter((f) => f.name.startsWith('cold-start-')).map((f) => `${f.name}=${f.value.toFixed(1)}`).join(' '));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const name of Object.keys(results.after!)) console.log(name.padEnd(28), median(results.before![name] ?? [NaN]).toFixed(1).padStart(8), median(results.after![name]!).toFixed(1).padStart(8));
