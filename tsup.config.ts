import { defineConfig } from 'tsup';

/**
 * One entry per layer so that bundlers can drop whole layers: a consumer that
 * imports only `radialDistribution` must not pull in tfjs. `splitting` shares
 * code between entries as chunks instead of duplicating it.
 */
export const entries = {
  index: 'src/index.ts',
  'structure/index': 'src/structure/index.ts',
  'io/index': 'src/io/index.ts',
  'analysis/index': 'src/analysis/index.ts',
  'encoding/index': 'src/encoding/index.ts',
  'model/index': 'src/model/index.ts',
  'sampling/index': 'src/sampling/index.ts',
  'backend/index': 'src/backend/index.ts',
  'node/index': 'src/node/index.ts',
  'plot/index': 'src/plot/index.ts',
  // The `repap` command (package.json "bin"); its source starts with a #!/usr/bin/env node line.
  'cli/index': 'src/cli/index.ts',
};

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  treeshake: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^@tensorflow\//, 'ndarray', 'pure-rand', /^node:/, 'webgpu'],
});
