/**
 * TrainOptions.monitor: a figure computed after every epoch selects the kept
 * epoch instead of the validation loss (restored after the last epoch too),
 * drives early stopping, is recorded per epoch, and a resumed run with another
 * monitor starts the selection afresh.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel, type TrainingCheckpoint, type TrainingMonitor } from '../../src/model/index.js';
import { toyTrajectory, useTf } from './fixtures.js';

const traj = toyTrajectory(48, 4, 4);
const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
const split = { train: 32, validation: 8, test: 8 };

/** A monitor that returns `values[epoch]` and remembers the readout kernel it saw at each epoch. */
function scripted(model: RePAPModel, values: number[], mode: 'min' | 'max' = 'min'): TrainingMonitor & { seen: Float32Array[] } {
  const seen: Float32Array[] = [];
  return {
    name: 'scripted',
    mode,
    seen,
    evaluate(epoch) {
      seen[epoch] = Float32Array.from(model.stackWeights()!.readout.kernel);
      return { value: values[epoch]!, details: { epoch } };
    },
  };
}

describe('TrainOptions.monitor', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  it('keeps the best epoch by the monitor (not by the validation loss), also after the last epoch, and records every value', async () => {
    const model = RePAPModel.create(encoder, { units: 8, seed: 7, learningRate: 1e-2 });
    const monitor = scripted(model, [5, 1, 3, 4]);
    const history = await model.train(traj, { epochs: 4, batchSize: 8, split, monitor });
    expect(history.stopReason).toBe('completed');
    expect(history.monitor).toEqual({ name: 'scripted', mode: 'min' });
    expect(history.epochs.map((e) => e.monitor?.value)).toEqual([5, 1, 3, 4]);
    expect(history.epochs[2]!.monitor).toEqual({ name: 'scripted', value: 3, details: { epoch: 2 } });
    expect(history.bestEpoch).toBe(1);
    expect(history.restoredEpoch).toBe(1);
    // the model holds epoch 2's weights (0-based 1), which differ from the last epoch's
    expect(Array.from(model.stackWeights()!.readout.kernel)).toEqual(Array.from(monitor.seen[1]!));
    expect(Array.from(monitor.seen[3]!)).not.toEqual(Array.from(monitor.seen[1]!));
    // the validation loss alone would have chosen another epoch here (it falls at this learning rate)
    const val = history.epochs.map((e) => e.valLoss!);
    expect(val.indexOf(Math.min(...val))).not.toBe(1);
    model.dispose();
  });

  it("mode 'max' keeps the largest value; NaN never counts as better; the last epoch's best leaves restoredEpoch null", async () => {
    const model = RePAPModel.create(encoder, { units: 8, seed: 7 });
    const history = await model.train(traj, { epochs: 3, batchSize: 8, split, monitor: scripted(model, [0.2, NaN, 0.9], 'max') });
    expect(history.bestEpoch).toBe(2);
    expect(history.restoredEpoch).toBeNull();
    model.dispose();
  });

  it('early stopping watches the monitor and restores its best epoch', async () => {
    const model = RePAPModel.create(encoder, { units: 8, seed: 7 });
    const monitor = scripted(model, [2, 1, 1.5, 1.2, 0.5, 0.1]);
    const history = await model.train(traj, { epochs: 6, batchSize: 8, split, monitor, earlyStopping: { patience: 2 } });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.message).toContain('the monitored scripted');
    expect(history.epochs.length).toBe(4);
    expect(history.bestEpoch).toBe(1);
    expect(Array.from(model.stackWeights()!.readout.kernel)).toEqual(Array.from(monitor.seen[1]!));
    model.dispose();
  });

  it('a run resumed with another monitor than its checkpoint starts the selection afresh', async () => {
    const a = RePAPModel.create(encoder, { units: 8, seed: 7 });
    let cp: TrainingCheckpoint | null = null;
    await a.train(traj, { epochs: 2, batchSize: 8, split, checkpoint: (c) => void (cp = c) });
    expect(cp!.loop.monitor).toBeNull();
    const b = RePAPModel.create(encoder, { units: 8, seed: 7 });
    // values that are all worse than the checkpoint's best validation loss would be, were it kept
    const history = await b.train(traj, { epochs: 4, batchSize: 8, split, resume: cp!, monitor: scripted(b, [0, 0, 50, 40]) });
    expect(history.epochs.length).toBe(4);
    expect(history.bestEpoch).toBe(3);
    expect(history.monitor?.name).toBe('scripted');
    a.dispose();
    b.dispose();
  });

  it('a bad monitor or a bad value is an error that names it', async () => {
    const model = RePAPModel.create(encoder, { units: 8, seed: 7 });
    await expect(model.train(traj, { epochs: 1, batchSize: 8, split, monitor: { name: 'x', mode: 'up' } as unknown as TrainingMonitor })).rejects.toThrow(
      /monitor must be an object \{ name, mode/,
    );
    await expect(
      model.train(traj, { epochs: 1, batchSize: 8, split, monitor: { name: 'x', mode: 'min', evaluate: () => ({ value: 'low' }) as never } }),
    ).rejects.toThrow(/monitor 'x' returned \{"value":"low"\} after epoch 1/);
    model.dispose();
  });
});
