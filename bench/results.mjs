// @ts-check
/**
 * The benchmark's figures as JSON (`bench/results/latest.json` unless BENCH_RESULTS names another
 * file), and their comparison with the run before: one run's figures vary by tens of percent on a
 * shared disk, but a change of several times shows a regression at a glance.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * @typedef {object} Figure
 * @property {string} label what it is, as the comparison prints it
 * @property {number} value NaN when not measured (stored as null)
 * @property {string} unit
 * @property {"higher" | "lower"} better which way is an improvement
 */

/**
 * @typedef {object} Results
 * @property {string} at ISO time of the run
 * @property {string} machine
 * @property {Record<string, unknown>} settings the sizes the run used: figures of other sizes do not compare
 * @property {Record<string, Figure>} figures by stable key
 * @property {Array<{ target: string, measured: string, status: string }>} targets
 */

/**
 * A change larger than this, the wrong way, is marked "worse": smaller ones are within the noise of
 * this machine's disk and CPU sharing.
 */
const NOISE = 0.1;

/**
 * The previous run's results, or why there are none. Never throws: a missing or damaged file only
 * means there is nothing to compare with.
 * @param {string} path
 * @returns {{ results: Results } | { missing: string }}
 */
export function readPrevious(path) {
  if (!existsSync(path)) return { missing: `no previous results at ${path}` };
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8"));
    if (typeof parsed !== "object" || parsed === null || typeof parsed.figures !== "object" || parsed.figures === null) {
      return { missing: `${path} holds no figures` };
    }
    for (const f of Object.values(parsed.figures)) {
      if (f && typeof f === "object" && f.value === null) f.value = NaN;
    }
    return { results: /** @type {Results} */ (parsed) };
  } catch (e) {
    return { missing: `${path} could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * @param {string} path
 * @param {Results} results
 */
export function writeResults(path, results) {
  mkdirSync(dirname(path), { recursive: true });
  // NaN is not JSON: JSON.stringify writes it as null, which readPrevious turns back into NaN.
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Rows of (label, this run, previous run, change, verdict) for every figure of this run.
 * @param {Record<string, Figure>} figures
 * @param {Record<string, Figure>} previous
 * @param {(f: Figure) => string} format
 * @returns {string[][]}
 */
export function comparisonRows(figures, previous, format) {
  return Object.entries(figures).map(([key, f]) => {
    const before = previous[key];
    if (!before || !Number.isFinite(before.value) || !Number.isFinite(f.value)) {
      return [f.label, format(f), before ? format(before) : "(new)", "-", ""];
    }
    const change = before.value === 0 ? (f.value === 0 ? 0 : Infinity) : (f.value - before.value) / Math.abs(before.value);
    const improved = f.better === "higher" ? change > 0 : change < 0;
    const verdict = Math.abs(change) <= NOISE ? "" : improved ? "better" : "WORSE";
    const pct = Number.isFinite(change) ? `${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%` : "+inf";
    return [f.label, format(f), format(before), pct, verdict];
  });
}
