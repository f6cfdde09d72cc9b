/** What every page of the console gets, and how it says it has closed. */
import type { Session } from "./session";

export interface ViewContext {
  readonly session: Session;
  /** Runs `fn` when the view closes: stop timers and loads there. */
  onLeave(fn: () => void): void;
  /** Opens another page (`#/messages`). */
  navigate(hash: string): void;
  /** Changes the session (an operator opening or leaving a tenant) and opens `hash`. */
  switchSession(session: Session, hash: string): void;
}

export interface Route {
  /** The hash path: `#/<path>`. */
  path: string;
  /** Its name in the navigation and the page title. */
  label: string;
  render(ctx: ViewContext): HTMLElement;
}
