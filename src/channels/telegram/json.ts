/** Small readers of Bot API JSON: nothing here trusts the shape it is given. */

/** A JSON object as read from an update. */
export type Obj = Record<string, unknown>;

/** Whether a value is a JSON object (not an array, not null). */
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** A non-empty string, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
/** An array, else an empty one. */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A count (bytes, pixels): a non-negative safe integer. */
export const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
