/**
 * The periodic-image geometry used by the analysis functions lives in the
 * structure layer (`src/structure/images.ts`, one kernel for every layer); this
 * module forwards it for the analysis modules that import it from here.
 *
 * @internal
 * @module
 */
export { fractionalInto, imageGeometry, selfImageDistances, translationsWithin, zeroTranslation } from '../structure/images.js';
export type { ImageGeometry, Translations } from '../structure/images.js';
