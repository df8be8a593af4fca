/** Default directory served at /models/ (the package's assets/ folder). */
export declare const DEFAULT_MODELS: string;
/** Starts the static demo server; `isolated: false` leaves out the COOP/COEP headers. `port: 0` picks a free port. */
export declare function startDemoServer(options?: {
  root?: string;
  models?: string;
  port?: number;
  host?: string;
  isolated?: boolean;
}): Promise<{ url: string; close: () => Promise<void> }>;
