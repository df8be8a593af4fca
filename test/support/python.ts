/**
 * Finds a Python interpreter for the peer tests (ASE, MDAnalysis, numpy) and gives the reason to skip
 * when none has the modules a test needs.
 *
 * Probes `/usr/bin/python3` (Debian's python3-ase / python3-mdanalysis) first, then `python3` on PATH
 * (a virtual environment or conda). With `REPAP_REQUIRE_PEERS=1` (set by `.ci/run`) or `CI=true`, a
 * missing peer is an error instead of a skip: CI provisions every peer, so a skip there means a peer
 * check silently stopped running.
 */
import { spawnSync } from 'node:child_process';

/** Interpreters probed, in order. */
export const PYTHON_CANDIDATES: readonly string[] = ['/usr/bin/python3', 'python3'];

/** True when a skipped peer test must fail instead (CI). */
export function peersRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.REPAP_REQUIRE_PEERS === '1' || env.CI === 'true';
}

/** What {@link findPython} found: the interpreter, or why there is none. */
export interface PythonProbe {
  /** Path or command of an interpreter that imports every module, or null. */
  python: string | null;
  /** Null when `python` is usable, else the reason the peer tests are skipped. */
  missing: string | null;
}

const cache = new Map<string, PythonProbe>();
const reported = new Set<string>();

/**
 * The first interpreter of {@link PYTHON_CANDIDATES} that imports all `modules` (e.g. `['ase', 'numpy']`).
 * When none does, `missing` says what was tried and what to install, and it is printed once. Throws
 * instead when peers are required ({@link peersRequired}).
 */
export function findPython(modules: readonly string[]): PythonProbe {
  const key = [...modules].sort().join(',');
  let probe = cache.get(key);
  if (!probe) {
    const tried: string[] = [];
    probe = { python: null, missing: null };
    for (const candidate of PYTHON_CANDIDATES) {
      const r = spawnSync(candidate, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
      if (r.error) {
        tried.push(`${candidate}: not found`);
        continue;
      }
      if (r.status === 0) {
        probe = { python: candidate, missing: null };
        break;
      }
      const last = r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
      tried.push(`${candidate}: ${last}`);
    }
    if (!probe.python) {
      probe.missing =
        `no Python with ${modules.join(', ')} (${tried.join('; ')}); install them ` +
        `(Debian: ${modules.map((m) => DEBIAN_PACKAGES[m] ?? `python3-${m.toLowerCase()}`).join(' ')}) to run these peer checks`;
    }
    cache.set(key, probe);
  }
  if (probe.missing) {
    if (peersRequired()) throw new Error(`peer tests are required here (REPAP_REQUIRE_PEERS=1 or CI=true) but ${probe.missing}`);
    if (!reported.has(probe.missing)) {
      reported.add(probe.missing);
      console.warn(`skip: ${probe.missing}`);
    }
  }
  return probe;
}

const DEBIAN_PACKAGES: Record<string, string> = { ase: 'python3-ase', MDAnalysis: 'python3-mdanalysis', numpy: 'python3-numpy' };
