/**
 * The {@link EnsembleReport} of `evaluateEnsemble` as a plain-text table: one
 * row per figure, the generated set and the reference's floor (one half of the
 * MD against the other), each as `value [2.5 %, 97.5 %]`.
 *
 * @module
 */
import type { EnsembleFigures, EnsembleReport, EnsembleStage, Estimate } from '../analysis/index.js';
import { formatNumber, formatTable, type TableCell } from '../plot/table.js';
import { ProgressBar, type ProgressStream } from './progress.js';

/** A table row: its label and how to read the figure from a set. */
type Row = readonly [string, (f: EnsembleFigures) => Estimate | null | undefined, number?];

const pct = (e: Estimate | null | undefined, scale: number): string | null =>
  e ? `${formatNumber(e.value * scale)} [${formatNumber(e.ci[0] * scale)}, ${formatNumber(e.ci[1] * scale)}]` : null;

/** Every row of the ensemble report (scale 100 for shares printed in %). */
function allRows(r: EnsembleReport): Row[] {
  const rows: Row[] = [
    // a-Si's fixed thresholds; with a per-pair table (several species, --model) that row replaces them
    ...(r.settings.minDistances
      ? []
      : ([
          ['pair < 1.5 Å (% structures)', (f) => f.validity.below1_5, 100],
          ['pair < 2.0 Å (% structures)', (f) => f.validity.below2_0, 100],
        ] as Row[])),
    ...(r.settings.minDistances
      ? ([[`pair < its minimum (${Object.entries(r.settings.minDistances).map(([k, v]) => `${k} ${v}`).join(', ')} Å) (% structures)`, (f) => f.validity.belowPairTable, 100]] as Row[])
      : []),
    ['Err_RDF, poster (1/k)', (f) => f.rdf.errPoster],
    ['Err_RDF, mean', (f) => f.rdf.errMean],
    ['RDF Euclidean distance', (f) => f.rdf.euclidean],
    ['bond angles: W1 distance (°)', (f) => f.bondAngles.distance],
    ['bond angles: mean (°)', (f) => f.bondAngles.meanAngle],
  ];
  const ks = new Set<string>();
  for (const f of [r.generated, r.floor]) for (const k of Object.keys(f.coordination.fractions)) ks.add(k);
  for (const k of [...ks].sort((a, b) => Number(a) - Number(b))) {
    if ([r.generated, r.floor].every((f) => (f.coordination.fractions[k]?.value ?? 0) < 0.005)) continue;
    rows.push([`${k}-fold within ${r.settings.cutoff} Å (%)`, (f) => f.coordination.fractions[k] ?? { value: 0, ci: [0, 0] }, 100]);
  }
  rows.push(['mean coordination', (f) => f.coordination.mean], ['coordination fingerprint distance', (f) => f.coordination.distance]);
  if (r.generated.energyBefore) {
    rows.push(
      ['E before relax, mean (eV/atom)', (f) => f.energyBefore?.mean],
      ['E before relax, std (eV/atom)', (f) => f.energyBefore?.std],
      ['E before relax, KS distance', (f) => f.energyBefore?.ks],
    );
  }
  if (r.generated.energyAfter) {
    rows.push(
      ['E after relax, mean (eV/atom)', (f) => f.energyAfter?.mean],
      ['E after relax, std (eV/atom)', (f) => f.energyAfter?.std],
      ['E after relax, KS distance', (f) => f.energyAfter?.ks],
      ['RMS displacement in relax (Å)', (f) => f.rmsDisplacement],
      ['not converged (%)', (f) => f.notConverged, 100],
      ['unique (%)', (f) => f.uniqueness, 100],
    );
    if (r.generated.novelty) rows.push(['novel vs training (%)', (f) => f.novelty, 100]);
    rows.push([`stable: E <= ${formatNumber(r.settings.stableThreshold)} eV/atom (%)`, (f) => f.stable, 100]);
    if (r.generated.sun) rows.push(['S.U.N. (%)', (f) => f.sun, 100]);
  }
  r.generated.partialRdf.forEach((p, c) => {
    rows.push([`Err_RDF ${p.pair}, poster`, (f) => f.partialRdf[c]?.errPoster]);
  });
  r.generated.partialCoordination.forEach((p, c) => {
    const [a, b] = p.pair.split('-');
    rows.push([`${a} by ${b} within ${formatNumber(p.cutoff, 3)} Å: mean`, (f) => f.partialCoordination[c]?.mean]);
    for (const k of Object.keys(p.fractions)) {
      if ((p.fractions[k]?.value ?? 0) < 0.01) continue;
      rows.push([`${a} by ${b}: ${k}-fold (%)`, (f) => f.partialCoordination[c]?.fractions[k] ?? { value: 0, ci: [0, 0] }, 100]);
    }
  });
  r.generated.tripletAngles.forEach((t, c) => {
    rows.push([`${t.triplet} mean angle (°)`, (f) => f.tripletAngles.find((x) => x.triplet === t.triplet)?.meanAngle]);
    rows.push([`${t.triplet} W1 distance (°)`, (f) => f.tripletAngles[c]?.distance]);
  });
  return rows;
}

/**
 * The report as a table with a column for the generated set and one for the
 * floor. `only` keeps the rows whose label starts with one of the given texts.
 */
export function ensembleTable(r: EnsembleReport, options: { only?: readonly string[]; generatedName?: string } = {}): string {
  let rows = allRows(r);
  if (options.only) rows = rows.filter(([label]) => options.only!.some((p) => label.startsWith(p)));
  const cells: TableCell[][] = rows.map(([label, get, scale]) => [label, pct(get(r.generated), scale ?? 1), pct(get(r.floor), scale ?? 1)]);
  return formatTable(['', `${options.generatedName ?? 'generated'} [95 % CI]`, 'MD vs MD (floor) [95 % CI]'], cells, { align: ['left', 'right', 'right'] });
}

/** The lines under the table: what the columns and intervals are. */
export function ensembleNotes(r: EnsembleReport): string {
  const s = r.settings;
  const lines = [
    `intervals: ${s.bootstrap} bootstrap resamples of the structures (seed ${s.seed}), 2.5 and 97.5 percentiles; floor: ${r.floorSplit}.`,
  ];
  if (s.relax) {
    lines.push(
      `relaxation: ${s.potential} to fmax ${s.fmax} eV/Å; ${s.referenceRelaxed} reference frames relaxed for the energy-after distribution and the floor` +
        (s.trainingFrames ? `; novelty against ${s.trainingFrames} training structures${s.trainingRelaxed ? ` (relaxed first)` : ' (already minima)'}` : '') +
        `; identity: fingerprints within ${s.fingerprintTolerance} Å (cutoff ${s.fingerprintCutoff} Å); stable: relaxed energy at most the highest relaxed-reference energy + ${s.stableMargin} eV/atom.`,
    );
  } else if (r.generated.energyBefore) {
    lines.push('no relaxation (--relax): energies after relaxation, uniqueness, novelty, stability and S.U.N. are not computed.');
  }
  return lines.join('\n');
}

/**
 * An `onProgress` for {@link evaluateEnsemble} that draws one progress bar per
 * stage (relaxation of the generated set, of the reference sample, ...) on `stream`.
 */
export function stageProgress(stream: ProgressStream): { onProgress: (stage: EnsembleStage, done: number, total: number) => void; finish: () => void } {
  let bar: ProgressBar | null = null;
  let current = '';
  const finish = (): void => {
    bar?.finish();
    bar = null;
  };
  return {
    onProgress: (stage, done, total) => {
      if (stage === 'structure') return; // fast
      if (stage !== current || !bar) {
        finish();
        current = stage;
        bar = new ProgressBar(stage === 'bootstrap' ? 'bootstrap intervals' : `${stage} structures`, total, stream);
      }
      bar.update(done);
      if (done >= total) finish();
    },
    finish,
  };
}
