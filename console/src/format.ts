/** How values read in the console: times in the viewer's zone, counts with separators. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const number = new Intl.NumberFormat();

/** An ISO time as the viewer reads it; an empty string for none. */
export function when(iso: string | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTime.format(t);
}

/** An ISO time as hours and minutes (chart axes). */
export function clock(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : timeOnly.format(t);
}

/** A `<time>` element: the machine-readable value beside the readable one. */
export function timeEl(iso: string | undefined): HTMLElement | string {
  if (!iso) return "";
  const el = document.createElement("time");
  el.dateTime = iso;
  el.textContent = when(iso);
  return el;
}

export const count = (n: number | undefined) => (n === undefined ? "" : number.format(n));

/** Milliseconds as people read them: 840 ms, 1.2 s. */
export function millis(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * A `datetime-local` input's value (the viewer's local time) as an ISO instant; undefined when empty
 * or not a time.
 */
export function localToIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
