/**
 * What the browser tests share: where chromium is (and why they skip without it), its flags,
 * waiting for the demo page to finish, and comparing two g(r) curves.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Debian's chromium (CHROMIUM_PATH overrides); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags: WebGPU on (SwiftShader without a GPU), no sandbox as root, no network chatter. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Null when chromium is installed, else why the browser tests skip (printed). Under
 * REPAP_REQUIRE_PEERS=1 (CI) a missing chromium is an error instead of a skip.
 */
export const chromiumMissing: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (Debian: apt-get install chromium)`;
if (chromiumMissing) {
  if (process.env.REPAP_REQUIRE_PEERS === '1') throw new Error(`browser tests are required here (REPAP_REQUIRE_PEERS=1) but ${chromiumMissing}`);
  console.log(`[skip] browser tests: ${chromiumMissing}`);
}

/** A g(r) curve as the page exposes it. */
export interface Curve {
  r: number[];
  g: number[];
}

/** Presses generate on the loaded page, waits until the page reports done or error, and returns its state. */
export async function generateOnPage<S extends { status: string; error: string | null }>(page: Page, backend: string): Promise<S> {
  await page.click('#generate');
  await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { __repap: { status: string } }).__repap.status), null, {
    timeout: 240_000,
  });
  const state = await page.evaluate(() => (window as unknown as { __repap: unknown }).__repap as S);
  if (state.status === 'error') throw new Error(`demo page (${backend}): ${state.error}`);
  return state;
}

/** RMS difference of two g(r) curves over r >= 1.5 Å, where both have counts. */
export function rmsDiff(a: Curve, b: Curve): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < a.r.length; i++) {
    if (a.r[i]! < 1.5) continue;
    s += (a.g[i]! - b.g[i]!) ** 2;
    k++;
  }
  return Math.sqrt(s / k);
}
