/**
 * What backtracking costs: ConditionalSampler on the two shipped models with
 * the backtracking stored in their sampling defaults, side by side in the same
 * run with two peers that use draws only: (a) the stored tries without
 * backtracking (the sampler before backtracking), (b) 10 x those tries
 * without backtracking (the brute-force way to more valid structures).
 * Each row reports structures per wall second and per CPU second
 * (`process.cpuUsage()`, one thread, wasm engine), the share of valid
 * structures, and the CPU-time ratio to peer (a). Rows run in alternating
 * rounds (3; 1 with REPAP_BENCH_QUICK=1) and report their best round, since
 * the machine is shared.
 */
import { join } from 'node:path';
import { useBackend } from '../src/backend/index.js';
import { loadModel } from '../src/node/index.js';
import { ConditionalSampler, type SampleOptions } from '../src/sampling/index.js';

const ROOT = join(import.meta.dirname, '..');

interface Row { model: string; what: string; wall: number; cpu: number; valid: number; backtracks: number }

/** Runs the backtracking benchmark; returns a markdown table. */
export async function benchBacktrack(): Promise<string> {
  const quick = process.env.REPAP_BENCH_QUICK === '1';
  const rounds = quick ? 1 : 3;
  await useBackend('wasm');
  const rows: Row[] = [];
  for (const [name, n] of [['a-si-30-sw-300K-glasses', 300], ['a-sio2-72-vashishta-300K-glasses', 150]] as const) {
    const model = await loadModel(join(ROOT, 'assets', name, 'model'));
    try {
      const stored = model.samplingDefaults!;
      const variants: [string, SampleOptions][] = [
        [`${stored.maxTries} tries, no backtracking (peer a)`, { maxBacktracks: 0 }],
        [`${10 * stored.maxTries} tries, no backtracking (peer b)`, { maxTries: 10 * stored.maxTries, maxBacktracks: 0 }],
        [`${stored.maxTries} tries, <= ${stored.maxBacktracks} backtracks of ${stored.backtrackDepth} (stored)`, {}],
      ];
      const best = new Map<string, Row>();
      const count = quick ? Math.round(n / 4) : n;
      const sampler = new ConditionalSampler(model, { engine: 'wasm' });
      await sampler.sample(4, { seed: 0, batchSize: 4 }); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (const [what, opts] of variants) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const { stats } = await sampler.sample(count, { seed: 1, batchSize: Math.min(count, 256), ...opts });
          const wall = (performance.now() - t0) / 1000;
          const c = process.cpuUsage(c0);
          const row: Row = {
            model: name, what, wall: count / wall, cpu: count / ((c.user + c.system) / 1e6),
            valid: 1 - stats.violatingStructures.length / count, backtracks: stats.backtracks / count,
          };
          const prev = best.get(what);
          if (!prev || row.cpu > prev.cpu) best.set(what, row);
          console.log(`  ${name}: ${what}: ${row.cpu.toFixed(0)} structures per CPU s, ${(100 * row.valid).toFixed(1)} % valid`);
        }
      }
      rows.push(...best.values());
    } finally {
      model.dispose();
    }
  }
  const lines = [
    '| model | sampler | structures / s (wall) | structures / CPU s | CPU time vs peer (a) | valid | backtracks per structure |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const peer = rows.find((p) => p.model === r.model)!;
    lines.push(`| ${r.model} | ${r.what} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(0)} | ${(peer.cpu / r.cpu).toFixed(2)}x | ${(100 * r.valid).toFixed(1)} % | ${r.backtracks.toFixed(2)} |`);
  }
  return lines.join('\n');
}
