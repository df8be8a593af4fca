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
  eval <generated> <reference> Compare two sets of structures (the demo's table for any pair of files),
                               and the ensemble figures with 95 % intervals (--relax, --train: energies
                               after relaxation, unique / novel / stable / S.U.N.).
  relax <input> --out F        Energy-minimise every frame at fixed cell (FIRE; Stillinger-Weber Si,
                               Vashishta SiO2).
  info <file>                  What a trajectory file holds: frames, atoms, species, cell, pbc, info keys,
                               energy range.
  convert <input> <output>     Convert between formats, optionally selecting frames (--frames 0:1000:10).

Options for every command:
  -h, --help                   Help for the command, for example 'repap train --help'.
  --json [FILE|-]              Also write the results as one JSON document (schema 'repap.<command>/1',
                               described in each command's help and in docs/cli.md). '-' or no value:
                               stdout (the text then goes to stderr); FILE: --json=FILE, or a name
                               ending in .json. Never a file named '-'.
  --version                    Print the version.

--out: a folder for commands that write several files (demo, train, rdf), a file for those that
write one (sample). It is checked before any work: a folder that cannot be created or written fails
at once, naming --out. Every file is written to a temporary name in its folder and renamed when
complete, so a failed run (a full disk, Ctrl-C) never leaves a half-written file.

Inputs: '-' reads a trajectory from stdin (extxyz, or gzip-compressed extxyz) where a command takes
one trajectory file (info, convert, rdf, eval).

Progress: a bar on a terminal; in logs (not a terminal) a line every 10 s
(REPAP_PROGRESS_INTERVAL=<seconds> changes it, 0 turns it off).

Exit codes: 0 success; 2 bad input or usage (unknown option, value out of range, missing or
unreadable input file or model, unwritable output); 1 an internal failure (a bug, out of memory,
a full disk). REPAP_DEBUG=1 prints the stack trace.

Files: trajectories are extended XYZ (.extxyz / .xyz, optionally .gz) as written by ASE, with
Lattice="..." and pbc="T T T" in the comment line; POSCAR, LAMMPS dumps, and raw float32 frames
(.f32 with a .json sidecar) are read too. Lengths are in Å, energies in eV. Species must be
chemical symbols (H to Og, or X for a dummy atom, as in ASE); other names are rejected.
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
  -o, --out <dir>        Output folder (default ./repap-out), created when missing.
  --backend <name>       Compute backend: wasm (default, fastest on a CPU), cpu, webgl, webgpu, tensorflow.
  --min-distance <Å>     Closest allowed pair distance when resampling (default: the model's stored
                         sampling default, else 2.0).
  --temperature <t>      Sampling temperature: 1 samples the model as trained; < 1 sharpens (default: the
                         model's stored sampling default, chosen on validation data, else 1).
  --engine <name>        Sampler engine: auto (default: WebAssembly SIMD kernel on the CPU), wasm, js,
                         tfjs (the LSTM steps as tfjs ops on --backend, e.g. webgpu), rerun (re-runs
                         the network on the whole prefix each step, as the original code; slow).
  --threads <N>          Threads of the wasm engine (default: 2, or 1 on a one-core machine); the
                         structures are identical for any number of threads.
  --model <dir>          Use another model folder trained on the same 30-atom a-Si cell (default: the
                         embedded model). --model glasses: the multi-glass model (trained on 52 of 64
                         melt-quenched glasses), 200 structures by default, relaxed and scored against
                         the validation glasses it never saw (energies, novelty, uniqueness).
  --json [FILE|-]        Also write report.json's document (schema repap.demo/1) to FILE or stdout.
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

Progress: a bar per epoch (sequences, loss, sequences/s, ETA) on a terminal, a line every 10 s in a
log; after every epoch a line with the validation loss and negative log-likelihood. A checkpoint is
written to <out>/checkpoint after every epoch. Ctrl-C or --max-time stops after the current batch
and saves the best weights so far (the best validation epoch, else the latest) to <out>, and the
state to continue from to <out>/checkpoint (see --resume). A NaN or infinite loss, or a network
collapsed by a too-large learning rate, stops training with the reason and keeps the last good
weights. Exit codes: 0 done (also when --max-time ran out), 130 after Ctrl-C (the model is saved
first), 1 when training failed (non-finite loss, collapse), 2 for bad input.

Sampling defaults (repap.json 'sampling', used by repap sample unless overridden, printed at the
end): a minimum distance per species pair of 0.85 x the smallest one in the training frames (one
Si-Si entry for a-Si), 20 tries per atom, at most 100 backtracks of 3 atoms, temperature 1 or the
one --choose-temperature picks.

Arguments:
  <trajectory>           extxyz file (.extxyz, .xyz or .gz); several files train one model on all of
                         them (same atoms, species order and cell).

Options:
  -o, --out <dir>        Folder to write the model to (model.json, weights.bin, repap.json,
                         training.json, loss.svg); created when missing. Required.
  --epochs <N>           Passes over the training frames (default 1).
  --batch <N>            Structures per gradient step (default 4: the paper-size network leaves the
                         early 'predict zero everywhere' plateau after about 1,000 steps, and small
                         batches cost no more per structure here).
  --grid <N>             Grid cells per axis (default 50: 0.17 Å for the 8.44 Å a-Si cell; the embedded
                         model uses 100, see docs/limits.md).
  --sigma <Å>            Width of the Gaussian target around each coordinate (default: one grid cell).
  --units <N>            LSTM units per layer (default 256).
  --layers <N>           LSTM layers (default 2).
  --learning-rate <x>    Learning rate of the optimiser (default 0.001).
  --optimizer <name>     rmsprop (default, as the original code), adam or sgd.
  --max-frames <N>       Use at most the first N frames (default: all).
  --max-batches <N>      At most N batches per epoch (default: all): a quick trial run.
  --validation <f>       Fraction of frames held out for validation (default 0.1): the last frames.
  --split <a,b,c>        Frames for training, validation and test, in this order, as counts
                         (32000,4000,4000) or fractions (0.8,0.1,0.1); replaces --validation. Test
                         frames are never used for training; their loss is reported at the end.
  --patience <N>         Stop when the validation loss has not improved for N epochs and keep the
                         best epoch's weights (default: train all epochs).
  --monitor <figure>     What chooses the kept epoch (and what --patience watches): validation-loss
                         (default) or structure: after every epoch, structures sampled from the
                         current weights (seeded, the model's sampling defaults) are scored against
                         the validation frames by the sum of the partial Err_RDF over species pairs
                         (smaller is better); the best epoch's weights are kept, also after the last
                         epoch. Needs validation frames.
  --monitor-structures <N>  Structures sampled per epoch for --monitor structure (default 100).
  --choose-temperature [T,T,...]  After training, sample structures from the kept weights at each
                         temperature (default 0.2,0.4,0.6,0.8,1; each in (0, 10]), score them against
                         the validation frames only (Err_RDF; the sum of partial Err_RDF for several
                         species; share valid) and store in repap.json the lowest figure among the
                         temperatures with >= 99 % valid structures; prints the table. Needs
                         validation frames. Without it the stored temperature is 1.
  --temperature-structures <N>  Structures per temperature for --choose-temperature (default 100).
  --seed <int>           Random seed for weights and batch order (default 42).
  --loss <name>          sigmoid-mse (default; the paper's sigmoid output and squared error against the
                         Gaussian target) or softmax-crossentropy (a softmax over the grid cells trained
                         as a likelihood: samples at temperature 1 keep the data's spread).
  --max-time <duration>  Stop cleanly after this wall-clock time (90s, 30m, 1h, 1h30m) and save, as Ctrl-C.
  --threads <N>          Threads of the training kernel (default: 2, or 1 on a one-core machine); the
                         trained weights are identical for any number of threads.
  --resume <dir>         Continue a stopped run exactly (same weights, optimiser state, data order and
                         random state) from its checkpoint: <out>/checkpoint, or the --out folder of that
                         run. Give the same data and settings; a setting that differs is named.
  --group-by <key>       Group the frames by this info key (for example glass, for glass=g012 on every
                         frame); replaces the one-group-per-file default. --split and --validation then
                         count groups (--split 52,6,6 or 0.8,0.1,0.1), dealt by --seed; --max-frames
                         takes the first N frames of each group.
  --ordering <how>       With groups: group (default; the paper's rule on each group's mean positions),
                         frame (the rule on each frame's own positions), centred (translation invariant:
                         a pivot atom moved to the centre of the cell, the atoms by minimum-image distance
                         from it; with --augment the pivot is a random atom of every frame and epoch) or
                         grown (as centred, each next atom the unplaced one nearest to any placed atom).
  --species-first        Order the atoms by species first, then by the rule within each species, so
                         that the species sequence is fixed by the composition (needed to train on
                         many structures with several species, for example Si + O glasses).
  --augment <what>       With groups: none (default), translate (a random periodic translation of every
                         training frame, every epoch) or symmetry (translation + one of the 48 operations
                         of the cubic cell); the ordering is recomputed for every augmented frame.
  --backend <name>       wasm (default), cpu, webgl, webgpu, tensorflow.
  --json [FILE|-]        Also write the training record (schema repap.train/1: training.json without
                         the per-batch curves, plus "model": the folder) to FILE or stdout.
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
  -o, --out <file>       Output extxyz file (default generated.extxyz); '-' writes the structures to
                         stdout. Written as the structures are generated (any N at bounded memory),
                         under a temporary name renamed when complete.
  --seed <int>           Random seed (default 42).
  --temperature <t>      1 = as trained; < 1 favours the most likely cells, > 1 flattens. Default: the
                         model's stored sampling default (repap.json 'sampling'), else 1.
  --min-distance <Å>     Redraw a coordinate when it puts an atom closer than this to an atom already
                         placed (periodic minimum image). 0 turns resampling off. Default: the model's
                         stored default (one distance per species pair for a model of several species,
                         for example the shipped silica model), else 0.
  --max-tries <N>        Draws per atom at most before a close pair is kept. Default: the model's stored
                         default, else 10.
  --max-backtracks <N>   Backtracks per structure at most: when an atom still has a close pair after its
                         draws, the atoms before it are undone and drawn again (0 = off). Default: the
                         model's stored default, else 0.
  --backtrack-depth <N>  Atoms undone by one backtrack. Default: the model's stored default, else 3.
  --batch <N>            Structures generated together (default 100).
  --backend <name>       wasm (default), cpu, webgl, webgpu, tensorflow.
  --engine <name>        Sampler engine: auto (default: WebAssembly SIMD kernel on the CPU), wasm, js,
                         tfjs (the LSTM steps as tfjs ops on --backend, e.g. webgpu), rerun (re-runs
                         the network on the whole prefix each step, as the original code; slow).
  --threads <N>          Threads of the wasm engine (default: 2, or 1 on a one-core machine); the
                         structures are identical for any number of threads.
  --json [FILE|-]        Also write a summary (schema repap.sample/1: model, output, structures, atoms,
                         seed, temperature, minDistance, engine, seconds, structuresPerSecond,
                         resampling {placedAtoms, resampledAtoms, redraws, replacementRate,
                         violatingStructures}) to FILE or stdout.
  -h, --help             This help.
`;

/** `repap rdf --help`. */
export const RDF_HELP = `Usage: repap rdf <trajectory> [options]

Computes the radial distribution function g(r) averaged over all frames, counting every periodic
image (so r may exceed half the cell, as in LAMMPS compute rdf). Normalisation: the LAMMPS /
MDAnalysis convention g_k = 2 n_k / (N (N-1) V_k / V); ASE's get_rdf is lower by (N-1)/N.

Arguments:
  <trajectory>           Trajectory file (extxyz, POSCAR, LAMMPS dump, .f32), or '-' for extxyz on stdin.

Options:
  --r-max <Å>            Largest distance (default 8). Limits: at most 1,000,000 periodic images of
                         the cell per pair (rMax of about 50 cell lengths) and 1e10 distance
                         evaluations (frames x pairs x images); beyond them the command stops at once.
  --bins <N>             Number of bins (default 160: 0.05 Å at 8 Å; at most 1,000,000).
  -o, --out <dir>        Folder for <name>.rdf.csv (r_center,g) and <name>.rdf.svg, where <name> is the
                         trajectory's file name without extensions (default: the current folder).
  --json [FILE|-]        Also write g(r) as JSON (schema repap.rdf/1: trajectory, frames, atoms, rMax,
                         nBins, dr, normalization, files {csv, svg}, peaks [{r, g}], r [], g []).
  -h, --help             This help.
`;

/** `repap eval --help`. */
export const EVAL_HELP = `Usage: repap eval <generated> <reference> [options]

Compares two sets of structures with the same atoms and cell, for example generated structures
against MD frames: the table of 'repap demo' (RDF error, random baseline, reference split in two
halves, RDF peaks, pairs closer than the minimum distance, Stillinger-Weber energy for Si,
coordination fractions), then the ensemble figures of evaluateEnsemble, each with a seeded bootstrap
95 % interval and beside the same figure for one half of the reference against the other (by glass
when the frames carry glass=...): validity (pairs < 1.5 / 2.0 Å), Err_RDF and the Euclidean RDF
distance, bond-angle distance, coordination, energies (mean, std, Kolmogorov-Smirnov distance) and,
with --relax, energies after relaxation, RMS displacement, unique / novel / stable / S.U.N. shares.
Structures with several species add partial RDFs, coordination of A by B and angles per triplet.
Definitions: docs/guide.md, "Evaluating an ensemble".

Arguments:
  <generated>            Trajectory file of the structures to judge ('-': extxyz on stdin).
  <reference>            Trajectory file of the reference structures (MD).

Options:
  --r-max <Å>            RDF range (default 8).
  --bins <N>             RDF bins (default 160).
  --cutoff <Å>           Coordination cutoff for all atoms (default 2.9, a-Si's; for several species
                         the first minimum of the reference g(r)).
  --min-distance <Å>     Close-contact threshold (default 2.0; with --model of several species the
                         smallest of its stored per-pair minimum distances).
  --seed <int>           Seed of the random-positions baseline and the bootstrap (default 42).
  --relax                Relax the generated structures, 200 reference frames (--reference-relax)
                         and training frames that are not minima (Stillinger-Weber for Si,
                         Vashishta 1990 for Si + O).
  --train <file>         Training structures (MD frames or their inherent structures) for novelty.
  --fmax <eV/Å>          Relaxation converged at this largest force (default 1e-3).
  --max-steps <N>        FIRE steps per structure at most (default 10000).
  --bootstrap <N>        Bootstrap resamples for the 95 % intervals (default 200).
  --reference-relax <N>  Reference frames relaxed for the floor and the stable threshold (default 200).
  --stable-margin <eV>   Stable: relaxed energy at most the highest relaxed-reference energy per atom
                         plus this margin (default 0.01 eV/atom).
  --pair-cutoffs <list>  Coordination cutoffs per species pair, e.g. O-Si=2.0,Si-Si=3.4 (default: the
                         first minimum of each reference partial g(r); the middle of a gap with no
                         pairs, as silica's Si-O between 1.9 and 2.8 Å).
  --model <dir>          A model folder: also report the negative log-likelihood it gives the
                         reference frames (nats per coordinate and per structure, and as a density
                         per Å^(3N-1), comparable between grids; JSON 'modelNll'). Give held-out frames.
                         For a model of several species, validity at its stored minimum distance per
                         species pair (which replaces the 1.5 and 2.0 Å rows of the ensemble table).
  --json [FILE|-]        Also write every number as JSON (schema repap.eval/1: generatedFile,
                         referenceFile, trainingFile, settings, the generated / reference / random
                         summaries, rdf, r, and ensemble: the evaluateEnsemble report; see docs/cli.md).
  -h, --help             This help.

Example: compare the demo's output with the MD frames shipped in the package, relaxing them and
counting those that are new against the training glass's minima
  repap eval repap-out/generated.extxyz node_modules/repap/assets/a-si-30-sw-300K/reference.f32 \
    --relax --train node_modules/repap/assets/a-si-30-sw-300K/inherent.extxyz
`;

/** `repap relax --help`. */
export const RELAX_HELP = `Usage: repap relax <input> --out <file> [options]

Energy-minimises every frame at fixed cell with FIRE (relaxStructures) and a shipped potential:
Stillinger-Weber for Si, Vashishta 1990 for Si + O (the library takes any potential). Frames that do not converge
in --max-steps are reported one per line and written as reached (converged=F), never dropped.
Each written frame carries energy (after, eV), energyBefore, steps, converged, fmaxAfter (eV/Å) and
rmsDisplacement (Å, minimum image).

Arguments:
  <input>                Trajectory file ('-': extxyz on stdin).

Options:
  -o, --out <file>       Relaxed structures (.extxyz, .xyz, POSCAR or .f32, optionally .gz). Required.
  --fmax <eV/Å>          Converged when the largest per-atom force is at most this (default 1e-3).
  --max-steps <N>        FIRE steps per frame at most (default 10000).
  --json [FILE|-]        Also write the per-frame results as JSON (schema repap.relax/1).
  -h, --help             This help.

Example:
  repap relax repap-out/generated.extxyz --out relaxed.extxyz
`;

/** `repap info --help`. */
export const INFO_HELP = `Usage: repap info <file> [options]

Prints what a trajectory file holds, as 'ase info' does: the number of frames and atoms, the species
and their counts, the cell and its volume, pbc, the keys of the per-frame info (energy=, step=, ...),
extra per-atom columns (forces, ...) and the range of the energy when the frames have one.

Arguments:
  <file>                 Trajectory file (extxyz, POSCAR, LAMMPS dump, .f32 + sidecar; optionally .gz),
                         or '-' for extxyz on stdin.

Options:
  --format <name>        Input format when the file name does not tell it: extxyz, poscar,
                         lammps-dump, raw.
  --species <A,B,..>     Chemical symbols of LAMMPS atom types 1, 2, ... (dumps without an element
                         column), or of the counts of a VASP 4 POSCAR.
  --json [FILE|-]        Also write the summary as JSON (schema repap.info/1: file, format, frames,
                         atoms, species {symbol: count}, formula, cell, pbc, volume, infoKeys [],
                         arrays [{name, type, columns}], energy {min, max, mean, frames, perAtom} or
                         null).
  -h, --help             This help.
`;

/** `repap convert --help`. */
export const CONVERT_HELP = `Usage: repap convert <input> <output> [options]

Converts a trajectory between formats, optionally keeping only some frames, as
'ase convert -n 0:1000:10 input output' does. The formats come from the file names (.extxyz, .xyz,
POSCAR, CONTCAR, .vasp, .lammpstrj / .dump (read only), .f32 / .f64 with a .json sidecar; a trailing
.gz compresses). The output is written to a temporary name and renamed when complete.

Arguments:
  <input>                Trajectory file, or '-' for extxyz on stdin.
  <output>               Output file, or '-' for extxyz on stdout.

Options:
  --frames <sel>         Frames to keep, with Python's slice rules as in ASE: 0:1000:10, ::10, -100:,
                         ::-1, or one index (5, -1 for the last). Default: all.
  --format <name>        Input format when the name does not tell it: extxyz, poscar, lammps-dump, raw.
  --output-format <name> Output format when the name does not tell it: extxyz, poscar, raw.
  --species <A,B,..>     Chemical symbols of LAMMPS atom types 1, 2, ... or of VASP 4 POSCAR counts.
  --precision <N>        extxyz: decimals of the positions (default: the shortest exact form).
  --json [FILE|-]        Also write a summary (schema repap.convert/1: input, output, outputFormat,
                         inputFrames, frames, atoms, frameSelection).
  -h, --help             This help.

Example: every 10th of the first 1,000 frames of a LAMMPS dump, as extxyz
  repap convert dump.lammpstrj first1000.extxyz --frames 0:1000:10 --species Si
`;
