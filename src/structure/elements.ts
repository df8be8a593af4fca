/**
 * Chemical element symbols and atomic numbers, for formats that store atoms by
 * number (extxyz `Z` columns, LAMMPS `type` mapped by mass) instead of symbol.
 *
 * @module
 */

/**
 * Chemical symbols indexed by atomic number Z (1 = H ... 118 = Og). Index 0 is
 * `'X'`, ASE's placeholder for "no element" (ghost or dummy atoms).
 */
export const chemicalSymbols: readonly string[] = Object.freeze([
  'X',
  'H', 'He',
  'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne',
  'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
  'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
  'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn',
  'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm', 'Md', 'No', 'Lr',
  'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
]);

let numberBySymbol: Map<string, number> | undefined;

/**
 * Atomic number of a chemical symbol (`'Si'` -> 14), or -1 when the symbol is
 * not an element. Case-sensitive, as symbols are (`'SI'` is not silicon).
 */
export function atomicNumber(symbol: string): number {
  if (!numberBySymbol) {
    numberBySymbol = new Map();
    chemicalSymbols.forEach((s, z) => numberBySymbol!.set(s, z));
  }
  return numberBySymbol.get(symbol) ?? -1;
}
