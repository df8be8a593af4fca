/**
 * `npm run bench`: every benchmark of the package, each side by side with a peer
 * (MDAnalysis, PyTorch, ...) in the same run, printed as markdown tables and
 * written to `.bench-out/report.md`. Pick a subset with `npm run bench -- rdf sample`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

type Bench = () => Promise<string>;

const suites: Record<string, () => Promise<Bench>> = {
  io: async () => (await import('./io.js')).benchIo,
  rdf: async () => (await import('./rdf.js')).benchRdf,
  'minimum-image': async () => (await import('./minimum-image.js')).benchMinimumImage,
  train: async () => (await import('./train.js')).benchTrain,
  sample: async () => (await import('./sample.js')).benchSample,
  backtrack: async () => (await import('./backtrack.js')).benchBacktrack,
  backends: async () => (await import('./backends.js')).benchBackends,
  relax: async () => (await import('./relax.js')).benchRelax,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted) {
  if (!(name in suites)) {
    console.error(`bench: unknown suite "${name}"; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(suites);
const sections: string[] = [`# repap benchmarks (${new Date().toISOString()}, node ${process.version})`];
let failed = false;
for (const name of names) {
  console.log(`\n## ${name}`);
  try {
    const run = await suites[name]();
    const table = await run();
    console.log(table);
    sections.push(`## ${name}\n\n${table}`);
  } catch (err) {
    failed = true;
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`bench ${name} failed: ${msg}`);
    sections.push(`## ${name}\n\nfailed: ${msg}`);
  }
}
mkdirSync('.bench-out', { recursive: true });
writeFileSync('.bench-out/report.md', sections.join('\n\n') + '\n');
console.log('\nwritten: .bench-out/report.md');
if (failed) process.exit(1);
