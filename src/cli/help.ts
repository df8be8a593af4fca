/**
 * Help texts of the `repap` command, written for people who run MD, not ML.
 *
 * @module
 */

/** Top-level help (`repap --help`). */
export const MAIN_HELP = `repap: learn atomic structure from a molecular-dynamics trajectory and generate new structures
with Recurrent Probabilistic Axis Projections (an LSTM that places atoms one x, y, z coordinate
at a time on a 1-D grid).

Usage: repap <command> [options]

Commands:
  demo                         Generate 1,000 a-Si structures with the model shipped in the package and
                               compare them with molecular dynamics (RDF error, peaks, close contacts,
                               Stillinger-Weber energy, coordination). Writes ./repap-out/.
  train <trajectory> --out D   Train a model on a trajectory (extxyz) and save it in folder D.
  sample <model> -n N          Generate N structures from a trained model folder; writes extxyz.
  rdf <trajectory>             Radial distribution function g(r) of a trajectory: CSV and SVG.
  eval <generated> <reference> Compare two sets of structures (the demo's table for any pair of files).

Options for every command:
  -h, --help                   Help for the command, for example 'repap train --help'.
  --version                    Print the version.

Files: trajectories are extended XYZ (.extxyz / .xyz, optionally .gz) as written by ASE, with
Lattice="..." and pbc="T T T" in the comment line; POSCAR, LAMMPS dumps, and raw float32 frames
(.f32 with a .json sidecar) are read too. Lengths are in Å, energies in eV.
`;

/** `repap demo --help`. */
export const DEMO_HELP = `Usage: repap demo [options]

Loads the model shipped in the package (trained on 32,000 frames of a 30-atom amorphous-silicon
Stillinger-Weber MD run at 300 K), generates an ensemble of structures, and compares it with 2,000
MD frames the model never saw. Prints a table and writes:
  generated.extxyz   the generated structures (with minimum-distance resampling)
  rdf.svg            g(r) of generated, MD and random structures on one chart
  report.json        every number of the table

Options:
  -n, --n <N>            Structures to generate (default 1000).
  --seed <int>           Random seed: the same seed gives the same structures (default 42).
  --out <dir>            Output folder (default ./repap-out).
  --backend <name>       Compute backend: wasm (default, fastest on a CPU), cpu, webgl, webgpu, tensorflow.
  --min-distance <Å>     Closest allowed pair distance when resampling (default 2.0).
  --temperature <t>      Sampling temperature: 1 samples the model as trained; < 1 sharpens (default: the
                         value chosen on validation frames for the embedded model, else 1).
  --engine <name>        Sampler engine: auto (default: WebAssembly SIMD kernel on the CPU), wasm, js,
                         tfjs (the LSTM steps as tfjs ops on --backend, e.g. webgpu), rerun (re-runs
                         the network on the whole prefix each step, as the original code; slow).
  --threads <N>          Threads of the wasm engine (default: 2, or 1 on a one-core machine); the
                         structures are identical for any number of threads.
  --model <dir>          Use another model folder trained on the same 30-atom a-Si cell (default: the
                         embedded model).
  -h, --help             This help.

What the table means:
  columns      generated: the ensemble with minimum-distance resampling; raw: the same seed without;
               MD on grid: the MD frames moved to the centres of the model's grid cells (the best a
               perfect model can do on that grid); MD: the 2,000 reference frames; random: atoms
               placed uniformly in the cell (the worst case).
  Err_RDF      sum over bins k of w_k (g_k - g_k^MD)^2, r up to 8 Å, 160 bins of 0.05 Å. 'poster'
               weights bin k by 1/k (the RePAP poster), 'mean' is the plain mean over bins. In the MD
               column: first 1,000 reference frames against the last 1,000 (the noise floor). Random
               g(r) uses 50,000 structures (it is noisy at short r, where 1/k weighs most).
  peaks        position (bin centre) and height of the first and second maxima of g(r).
  pair < 2 Å   structures with two atoms closer than 2 Å (unphysical for Si; the MD never goes below
               2.1 Å). Resampling redraws an atom placed too close to an earlier one; the replacement
               rate is the share of atoms redrawn at least once.
  E_SW         Stillinger-Weber potential energy per atom (eV), mean and spread over structures.
  k-fold       share of atoms with k neighbours within 2.9 Å.
`;

/** `repap train --help`. */
export const TRAIN_HELP = `Usage: repap train <trajectory> [more trajectories] --out <dir> [options]

Trains a RePAP model (2 LSTM layers of 256 units, as in the paper) on the frames of an MD
trajectory: every frame is one training structure. All frames must have the same atoms in the
same order and the same cell. The last 10 % of the frames (in order) are held out for validation.
The atom ordering is computed from the training frames only.

Many structures (glasses): give several files (each file one group) or --group-by <key>. Each group
gets its own atom ordering; the split deals whole groups to training, validation and test, so the
validation and test glasses are never trained on.

Arguments:
  <trajectory>           extxyz file (.extxyz, .xyz or .gz); several files train one model on all of
                         them (same atoms, species order and cell).

Options:
  --out <dir>            Folder to write the model to (model.json, weights.bin, repap.json). Required.
  --epochs <N>           Passes over the training frames (default 1).
  --batch <N>            Structures per gradient step (default 4: the paper-size network leaves the
                         early 'predict zero everywhere' plateau after about 1,000 steps, and small
                         batches cost no more per structure here).
  --grid <N>             Grid cells per axis (default 50: 0.17 Å for the 8.44 Å a-Si cell; the embedded
                         model uses 100, see docs/limits.md).
  --sigma <Å>            Width of the Gaussian target around each coordinate (default: one grid cell).
  --units <N>            LSTM units per layer (default 256).
  --layers <N>           LSTM layers (default 2).
  --learning-rate <x>    Adam learning rate (default 0.001).
  --max-frames <N>       Use at most the first N frames (default: all).
  --validation <f>       Fraction of frames held out for validation (default 0.1): the last frames.
  --split <a,b,c>        Frames for training, validation and test, in this order, as counts
                         (32000,4000,4000) or fractions (0.8,0.1,0.1); replaces --validation. Test
                         frames are never used for training; their loss is reported at the end.
  --patience <N>         Stop when the validation loss has not improved for N epochs and keep the
                         best epoch's weights (default: train all epochs).
  --seed <int>           Random seed for weights and batch order (default 42).
  --group-by <key>       Group the frames by this info key (for example glass, for glass=g012 on every
                         frame); replaces the one-group-per-file default. --split and --validation then
                         count groups (--split 52,6,6 or 0.8,0.1,0.1), dealt by --seed; --max-frames
                         takes the first N frames of each group.
  --ordering <how>       With groups: group (default; the paper's rule on each group's mean positions)
                         or frame (the rule on each frame's own positions).
  --augment <what>       With groups: none (default), translate (a random periodic translation of every
                         training frame, every epoch) or symmetry (translation + one of the 48 operations
                         of the cubic cell); the ordering is recomputed for every augmented frame.
  --backend <name>       wasm (default), cpu, webgl, webgpu, tensorflow.
  -h, --help             This help.
`;

/** `repap sample --help`. */
export const SAMPLE_HELP = `Usage: repap sample <model> -n <N> [options]

Generates N new structures from a trained model folder (the --out folder of 'repap train', or the
model shipped in the package: assets/a-si-30-sw-300K/model). Each structure is built coordinate by
coordinate: x, y, z of atom 1, then atom 2, ... each drawn from the model's predicted distribution.

Arguments:
  <model>                Model folder (holds model.json, weights.bin and repap.json).

Options:
  -n, --n <N>            Structures to generate (default 100).
  --out <file>           Output extxyz file (default generated.extxyz).
  --seed <int>           Random seed (default 42).
  --temperature <t>      1 = as trained (default); < 1 favours the most likely cells, > 1 flattens.
  --min-distance <Å>     Redraw a coordinate when it puts an atom closer than this to an atom already
                         placed (periodic minimum image). 0 turns resampling off (default 0).
  --batch <N>            Structures generated together (default 100).
  --backend <name>       wasm (default), cpu, webgl, webgpu, tensorflow.
  --engine <name>        Sampler engine: auto (default: WebAssembly SIMD kernel on the CPU), wasm, js,
                         tfjs (the LSTM steps as tfjs ops on --backend, e.g. webgpu), rerun (re-runs
                         the network on the whole prefix each step, as the original code; slow).
  --threads <N>          Threads of the wasm engine (default: 2, or 1 on a one-core machine); the
                         structures are identical for any number of threads.
  -h, --help             This help.
`;

/** `repap rdf --help`. */
export const RDF_HELP = `Usage: repap rdf <trajectory> [options]

Computes the radial distribution function g(r) averaged over all frames, counting every periodic
image (so r may exceed half the cell, as in LAMMPS compute rdf). Normalisation: the LAMMPS /
MDAnalysis convention g_k = 2 n_k / (N (N-1) V_k / V); ASE's get_rdf is lower by (N-1)/N.

Arguments:
  <trajectory>           extxyz file.

Options:
  --r-max <Å>            Largest distance (default 8).
  --bins <N>             Number of bins (default 160: 0.05 Å at 8 Å).
  --out <prefix>         Writes <prefix>.csv (r_center,g) and <prefix>.svg (default: the trajectory's
                         file name without extension, plus '.rdf').
  -h, --help             This help.
`;

/** `repap eval --help`. */
export const EVAL_HELP = `Usage: repap eval <generated> <reference> [options]

Compares two sets of structures with the same atoms and cell, for example generated structures
against MD frames: the table of 'repap demo' (RDF error, random baseline, reference split in two
halves, RDF peaks, pairs closer than the minimum distance, Stillinger-Weber energy for Si,
coordination fractions).

Arguments:
  <generated>            extxyz file of the structures to judge.
  <reference>            extxyz file of the reference structures (MD).

Options:
  --r-max <Å>            RDF range (default 8).
  --bins <N>             RDF bins (default 160).
  --cutoff <Å>           Coordination cutoff (default 2.9).
  --min-distance <Å>     Close-contact threshold (default 2.0).
  --seed <int>           Seed of the random-positions baseline (default 42).
  --json <file>          Also write every number as JSON.
  -h, --help             This help.

Example: compare the demo's output with the MD frames shipped in the package
  repap eval repap-out/generated.extxyz node_modules/repap/assets/a-si-30-sw-300K/reference.f32
`;
