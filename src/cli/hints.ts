/**
 * Error messages of the library speak of API options (`{ format: ... }`,
 * `{ typeToSpecies: ... }`, `options.volume`, an encoder `range`); on the
 * command line they must speak of what the command line has. No imports, so
 * the entry point loads it without the heavy layers.
 *
 * @module
 */

/** Commands that have --format and --species. */
const READ_OPTIONS = new Set(['info', 'convert']);

/** A rewritten message, and whether it is about the user's input (exit code 2). */
export interface CliHint {
  /** The message in command-line terms. */
  readonly message: string;
  /** True when a pattern about the input matched: the error is the user's to fix. */
  readonly userInput: boolean;
}

/**
 * Rewrites the API hints in `msg` into the options of `command`, or into
 * `repap convert` for commands without them.
 */
export function cliHint(command: string, msg: string): CliHint {
  const own = READ_OPTIONS.has(command);
  let userInput = false;
  const sub = (re: RegExp, text: string): void => {
    if (re.test(msg)) {
      msg = msg.replace(re, text);
      userInput = true;
    }
  };
  sub(
    /Rename the file or load it with \{ format: [^}]*\}/,
    own ? 'rename the file or pass --format extxyz|poscar|lammps-dump|raw' : "rename the file, or convert it first: 'repap convert <file> out.extxyz --format <name>'",
  );
  sub(
    /pass the type -> element map, e\.g\. \{ typeToSpecies: [^)]*\)/,
    own ? 'pass the symbol of each atom type in order, e.g. --species Si' : "convert it first: 'repap convert <dump> out.extxyz --species Si' (the symbol of each atom type, in order)",
  );
  sub(
    /pass the species, one per count, e\.g\. \{ species: \['Si'\] \}/,
    own ? 'pass the species, one per count, e.g. --species Si' : "convert it first: 'repap convert POSCAR out.extxyz --species Si' (one symbol per count)",
  );
  sub(/\. Pass \{ sidecar: 'path\/to\.json' \}/, '; put the sidecar next to the file under one of these names');
  sub(
    /options\.volume is required: the trajectory has no cell \(cell: null\) or a flat one, so the ideal-gas density N\/V is undefined; pass the volume in Å³ that the atoms occupy/,
    'the trajectory has no cell (a molecule) or a flat one, so g(r) has no density to normalise by; give the frames a periodic Lattice="..." (extxyz)',
  );
  sub(
    /config\.range is null but the periodic cell is not orthorhombic; .*$/,
    'the periodic cell is not orthorhombic; the command line trains on orthorhombic periodic cells (axis projections are Cartesian); for a triclinic cell use the API with an explicit encoder range (docs/guide.md)',
  );
  return { message: msg, userInput };
}
