/**
 * Where a view says what happened: progress and success politely (a status region), failures at once
 * (an alert), always in words, never only in colour.
 */
import { describeError } from "./api";
import { h, replace } from "./dom";

export interface Notice {
  readonly element: HTMLElement;
  /** A neutral or successful outcome. */
  info(text: string | Node): void;
  /** A failure: the problem's detail, or the text given. */
  error(e: unknown, prefix?: string): void;
  clear(): void;
}

/** A live region; it exists before anything is said in it, so that screen readers announce changes. */
export function notice(): Notice {
  const element = h("div", { class: "notice", role: "status", "aria-live": "polite" });
  return {
    element,
    info(text) {
      replace(element, h("p", { class: "info" }, text));
    },
    error(e, prefix) {
      const words = describeError(e);
      replace(element, h("p", { class: "error", role: "alert" }, h("strong", {}, "Error: "), prefix ? `${prefix}: ${words}` : words));
    },
    clear() {
      replace(element);
    },
  };
}
