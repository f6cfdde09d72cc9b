/**
 * A table that shows one page of a list at a time, with previous and next. The page comes from a
 * source: the API's own cursor (`next`, or `after` for tenants), or an array the console already holds
 * (lists the API answers whole). Only the page is ever in the DOM, so ten thousand rows cost no more
 * than fifty.
 */
import { ApiError } from "./api";
import { append, button, h, replace, uid } from "./dom";
import { notice } from "./notice";

/** One page: its items, and the cursor of the following page when there is one. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** Fetches the page that starts at `cursor` (undefined: the first page). */
export type PageSource<T> = (cursor: string | undefined, limit: number, signal: AbortSignal) => Promise<Page<T>>;

type Cell = Node | string | number | null | undefined | false;

export interface Column<T> {
  header: string;
  cell: (item: T) => Cell;
  /** `num` right-aligns numbers. */
  className?: string;
}

export interface PagedTableOptions<T> {
  /** Names the table (its caption) and its page controls. */
  caption: string;
  columns: Column<T>[];
  source: PageSource<T>;
  /** Rows per page. */
  pageSize?: number;
  /** What to say when the list is empty. */
  empty: string;
  /** What to say when the relay has no such list (its route answers 404 `not_found`). */
  unavailable?: string;
  /** A row's details, shown below it on demand (fetched then, when it takes a call). */
  details?: (item: T) => Node | Promise<Node>;
  /** A row's identity: its details stay open when the page is shown again (after a write, say). */
  key?: (item: T) => string;
  /** Called with each page shown (e.g. to fetch more about the rows on it). */
  onPage?: (items: T[], rows: HTMLTableRowElement[]) => void;
}

/** The default page size: a screenful on a desktop. */
export const PAGE_SIZE = 50;
/** Empty pages that still have a next one, followed at once before the table says it found nothing. */
const EMPTY_PAGES_FOLLOWED = 5;

/** A source over an array held by the console: the cursor is the offset. */
export function arraySource<T>(items: readonly T[]): PageSource<T> {
  return async (cursor, limit) => {
    const start = Math.max(0, Number(cursor ?? 0) || 0);
    const end = start + limit;
    return { items: items.slice(start, end), ...(end < items.length && { next: String(end) }) };
  };
}

export class PagedTable<T> {
  readonly element: HTMLElement;
  private readonly body = h("tbody", { role: "rowgroup" });
  private readonly status = notice();
  private readonly position = h("span", { class: "position", "aria-live": "polite" });
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly wrap: HTMLElement;
  /**
   * Each page up to the current one: its cursor (undefined for the first) and how many rows came
   * before it (pages may be short, so rows are counted, not computed).
   */
  private pages: { cursor: string | undefined; offset: number }[] = [{ cursor: undefined, offset: 0 }];
  private nextCursor: string | undefined;
  private shown = 0;
  private controller: AbortController | undefined;
  private readonly pageSize: number;
  /** Keys of the rows whose details are open. */
  private readonly open = new Set<string>();

  constructor(private readonly options: PagedTableOptions<T>) {
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    const captionId = uid("caption");
    // Explicit roles: on a phone the rows are laid out as cards (CSS), which would otherwise cost the
    // table its semantics in some browsers.
    const head = h("tr", { role: "row" });
    for (const c of options.columns) head.append(h("th", { scope: "col", role: "columnheader", class: c.className }, c.header));
    if (options.details) head.append(h("th", { scope: "col", role: "columnheader" }, h("span", { class: "visually-hidden" }, "Details")));
    // A region that scrolls sideways on narrow screens, reachable by keyboard to scroll it.
    this.wrap = h(
      "div",
      { class: "table-wrap", role: "region", "aria-labelledby": captionId, tabindex: 0 },
      h("table", { role: "table" }, h("caption", { id: captionId }, options.caption), h("thead", { role: "rowgroup" }, head), this.body),
    );
    this.prev = button("Previous", () => this.go(-1), { disabled: true, "aria-label": "Previous page" });
    this.next = button("Next", () => this.go(1), { disabled: true, "aria-label": "Next page" });
    this.element = h(
      "section",
      { class: "paged" },
      this.status.element,
      this.wrap,
      h("nav", { class: "pager", "aria-label": `${options.caption}: pages` }, this.prev, this.position, this.next),
    );
  }

  /** Shows the first page again (after a filter changed, or a write). */
  reload(): Promise<void> {
    this.pages = [{ cursor: undefined, offset: 0 }];
    return this.load();
  }

  /** Shows the current page again. */
  refresh(): Promise<void> {
    return this.load();
  }

  /** Stops a load under way (the view is closing). */
  dispose(): void {
    this.controller?.abort();
  }

  private go(step: 1 | -1): void {
    const current = this.pages[this.pages.length - 1]!;
    if (step === 1 && this.nextCursor !== undefined) this.pages.push({ cursor: this.nextCursor, offset: current.offset + this.shown });
    if (step === -1 && this.pages.length > 1) this.pages.pop();
    void this.load();
  }

  private async load(): Promise<void> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const hadFocus = document.activeElement === this.prev || document.activeElement === this.next;
    this.prev.disabled = this.next.disabled = true;
    this.body.setAttribute("aria-busy", "true");
    this.status.info("Loading…");
    const cols = this.options.columns.length + (this.options.details ? 1 : 0);
    const at = this.pages[this.pages.length - 1]!;
    let page: Page<T>;
    try {
      page = await this.options.source(at.cursor, this.pageSize, controller.signal);
      // A list merged from many stores may answer an empty page that still goes on: follow it a few
      // times, so that a rare match is found without clicking through empty pages.
      for (let hop = 0; page.items.length === 0 && page.next !== undefined && hop < EMPTY_PAGES_FOLLOWED; hop++) {
        at.cursor = page.next;
        page = await this.options.source(at.cursor, this.pageSize, controller.signal);
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      this.body.removeAttribute("aria-busy");
      replace(this.body);
      this.position.textContent = "";
      if (e instanceof ApiError && e.unavailable && this.options.unavailable) this.status.info(this.options.unavailable);
      else this.status.error(e);
      // A page that failed can be tried again from where it was.
      this.prev.disabled = this.pages.length <= 1;
      return;
    }
    if (controller.signal.aborted) return;
    this.body.removeAttribute("aria-busy");
    this.nextCursor = page.next;
    this.shown = page.items.length;
    const rows = page.items.map((item) => this.row(item, cols));
    replace(this.body, ...rows.flatMap((r) => r.nodes));
    const pageNo = this.pages.length;
    if (page.items.length === 0) {
      this.status.clear();
      // A page may come back empty and still have a next one (a list merged from many stores).
      const empty = page.next !== undefined ? "Nothing on this page; the next page may have more." : pageNo > 1 ? "Nothing more." : this.options.empty;
      replace(this.body, h("tr", { role: "row" }, h("td", { role: "cell", colspan: cols, class: "empty" }, empty)));
    } else {
      this.status.clear();
    }
    const first = at.offset + 1;
    this.position.textContent = page.items.length === 0 ? `Page ${pageNo}` : `Page ${pageNo}: rows ${first}–${first + page.items.length - 1}`;
    this.prev.disabled = pageNo <= 1;
    this.next.disabled = page.next === undefined;
    // Focus never falls off a control the page just disabled.
    if (hadFocus && (document.activeElement === document.body || (document.activeElement as HTMLButtonElement | null)?.disabled)) {
      (this.next.disabled ? (this.prev.disabled ? this.wrap : this.prev) : this.next).focus();
    }
    this.options.onPage?.(
      page.items,
      rows.map((r) => r.row),
    );
  }

  /** A row, and the nodes it takes in the table (with its details row). */
  private row(item: T, cols: number): { row: HTMLTableRowElement; nodes: HTMLTableRowElement[] } {
    const tr = h("tr", { role: "row" });
    // Each cell names its column, for the card layout of narrow screens.
    for (const c of this.options.columns) append(tr, h("td", { role: "cell", class: c.className, "data-label": c.header }, c.cell(item)));
    const details = this.options.details;
    if (!details) return { row: tr, nodes: [tr] };
    const panel = h("tr", { role: "row", class: "details", hidden: true, id: uid("details") });
    const cell = h("td", { role: "cell", colspan: cols });
    panel.append(cell);
    let loaded = false;
    const key = this.options.key?.(item);
    const toggle = button("Details", async () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      panel.hidden = open;
      if (key !== undefined) {
        if (open) this.open.delete(key);
        else this.open.add(key);
      }
      if (open || loaded) return;
      loaded = true;
      replace(cell, "Loading…");
      try {
        replace(cell, await details(item));
      } catch (e) {
        loaded = false;
        const n = notice();
        n.error(e);
        replace(cell, n.element);
      }
    });
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", panel.id);
    tr.append(h("td", { role: "cell" }, toggle));
    if (key !== undefined && this.open.has(key)) {
      this.open.delete(key);
      toggle.click();
    }
    return { row: tr, nodes: [tr, panel] };
  }
}
