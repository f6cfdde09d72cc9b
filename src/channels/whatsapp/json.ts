/** Reading WhatsApp's JSON defensively: every field may be missing or of another type. */

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
/** A byte count or similar: a non-negative integer, or a string of digits. */
export function count(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Unix seconds (a number or a string of digits) as an ISO date, or undefined when it is not one. */
export function isoFromUnixSeconds(v: unknown): string | undefined {
  const n = count(v);
  if (n === undefined || n === 0) return undefined;
  const date = new Date(n * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
