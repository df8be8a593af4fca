/** Where the built page goes by default (examples/browser/dist). */
export declare const DEFAULT_OUTDIR: string;
/** Bundles the demo page with esbuild and copies index.html and the tfjs wasm binaries into `outdir`. */
export declare function buildDemo(options?: { outdir?: string; minify?: boolean; from?: 'dist' | 'src' }): Promise<{ outdir: string; bytes: number }>;
