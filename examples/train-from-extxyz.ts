/**
 * Train a RePAP model on the frames of an extxyz trajectory and save it, then
 * draw a few structures from it.
 *
 *   npx tsx examples/train-from-extxyz.ts <trajectory.extxyz> [outDir=repap-out/my-model]
 *
 * Environment variables shrink the run for a quick try (the defaults are the paper's network):
 *   REPAP_FRAMES (all), REPAP_EPOCHS (1), REPAP_UNITS (256), REPAP_BATCHES (all batches per epoch)
 *
 * (Build first with `npm run build`: the example imports the package by name.)
 */
import { useBackend } from 'repap/backend';
import { loadTrajectory, saveModel, loadModel } from 'repap/node';
import { AxisProjectionEncoder } from 'repap/encoding';
import { RePAPModel } from 'repap/model';
import { ConditionalSampler } from 'repap/sampling';
import { minimumDistances } from 'repap/analysis';

const [path, outDir = 'repap-out/my-model'] = process.argv.slice(2);
if (!path) {
  console.error('usage: npx tsx examples/train-from-extxyz.ts <trajectory.extxyz> [outDir]');
  process.exit(2);
}
const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);

await useBackend('wasm');
const all = await loadTrajectory(path);
const nFrames = Math.min(all.nFrames, env('REPAP_FRAMES', all.nFrames));
const trajectory = { ...all, nFrames, positions: all.positions.subarray(0, nFrames * all.nAtoms * 3), info: all.info.slice(0, nFrames) };

// 1. The encoding: 50 grid cells per axis over the cell; atoms ordered by the distance of their mean
//    position from the origin, computed on the training frames (the first 90 %).
const nTrain = Math.max(1, Math.floor(0.9 * nFrames));
const encoder = AxisProjectionEncoder.fit(trajectory, { gridSize: 50 }, Int32Array.from({ length: nTrain }, (_, i) => i));
console.log(`${nFrames} frames of ${trajectory.nAtoms} atoms; ${encoder.sequenceLength} coordinates per structure, input width ${encoder.inputSize}`);

// 2. The network: 2 LSTM layers (256 units in the paper), ReLU, dense layer to the grid, sigmoid.
const model = RePAPModel.create(encoder, { units: env('REPAP_UNITS', 256), layers: 2, seed: 1 });
const batches = process.env.REPAP_BATCHES ? { maxBatchesPerEpoch: Number(process.env.REPAP_BATCHES) } : {};
const history = await model.train(trajectory, {
  epochs: env('REPAP_EPOCHS', 1),
  batchSize: 32,
  seed: 1,
  split: { train: nTrain, validation: nFrames - nTrain, test: 0 },
  // Keras-style callbacks; valNll is the held-out negative log-likelihood (nats per coordinate).
  callbacks: [
    {
      onEpochEnd: (epoch, logs) =>
        console.log(
          `epoch ${epoch + 1}: loss ${logs.loss.toFixed(5)}, validation ${logs.valLoss?.toFixed(5) ?? '-'}` +
            `${logs.valNll ? `, validation NLL ${logs.valNll.perCoordinate.toFixed(3)} nats/coordinate` : ''}, ${logs.seqPerSec.toFixed(1)} seq/s`,
        ),
    },
  ],
  // Stop cleanly after 10 minutes, keeping the best weights so far.
  maxTime: 600,
  ...batches,
});
console.log(`stopped: ${history.stopReason}${history.message ? ` (${history.message})` : ''}`);

// 3. Save (model.json + weights.bin + repap.json), load back, and sample.
await saveModel(model, outDir);
model.dispose();
const loaded = await loadModel(outDir);
const { trajectory: generated } = await new ConditionalSampler(loaded).sample(10, { seed: 3, minDistance: 0 });
const dmin = minimumDistances(generated);
console.log(`saved to ${outDir}; 10 samples, closest pairs ${Array.from(dmin, (d) => d.toFixed(2)).join(' ')} Å`);
loaded.dispose();
