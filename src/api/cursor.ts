import type * as z from "zod";
import { ProblemError } from "../errors";

/** An opaque page cursor: the JSON of where a page ended, in URL-safe base64 without padding. */
export const encodeCursor = (value: unknown): string => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Reads a cursor this API gave; 400 `validation_failed` for anything else. */
export function decodeCursor<T extends z.ZodType>(raw: string, schema: T): z.infer<T> {
  try {
    return schema.parse(JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/"))));
  } catch {
    throw new ProblemError(400, "validation_failed", "cursor: not a cursor this API gave; pass `next` from the previous page as it is.");
  }
}
