import type { InboundEvent } from "../model";

/** Staged events handed to the endpoints at once, at most. */
export const STAGED_BATCH = 500;

/** A staged event and its place in the staging order. */
export interface StagedEvent {
  seq: number;
  event: InboundEvent;
}

/**
 * The events a conversation shard stages for its tenant's endpoints (statuses, and what webhooks stored
 * there), in order, each in the transaction of the change it reports. Once the endpoints hold them, their
 * rows are deleted by the next staging (or the shard's alarm), not by a commit of their own: should the
 * object restart before that, they are handed over again, and each endpoint keeps an event id once.
 *
 * What is staged while the object runs is also kept in memory until it is handed over, so that the
 * hand-over does not read back and parse what was just written. A rolled-back transaction forgets that
 * copy; the next hand-over reads the rows instead.
 */
export class StagedEvents {
  /** Staged events up to this seq are held by the endpoints (in memory only). */
  private handedThrough = 0;
  /** Rows up to this seq are deleted. */
  private dropped = 0;
  /** Every staged event not handed over yet, in order, while they fit in one batch; undefined: read the rows. */
  private tail: StagedEvent[] | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** Stages an event, inside the caller's transaction, which also deletes what was handed over since. */
  add(event: InboundEvent): void {
    this.dropHandedOver();
    const { seq } = this.sql.exec<{ seq: number }>("INSERT INTO event_outbox (id, event) VALUES (?, ?) RETURNING seq", event.id, JSON.stringify(event)).one();
    // A backlog (the endpoints unreachable, or none yet) stays in the rows only: memory holds one batch at most.
    if (this.tail && this.tail.length >= STAGED_BATCH) this.tail = undefined;
    this.tail?.push({ seq, event });
  }

  /** Staged events not handed over yet, in order. */
  pending(limit = STAGED_BATCH): StagedEvent[] {
    if (this.tail) return this.tail.slice(0, limit);
    const rows = this.sql
      .exec<{ seq: number; event: string }>("SELECT seq, event FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT ?", this.handedThrough, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as InboundEvent }));
    // All there is: what is staged from now on is kept in memory too.
    if (rows.length < limit) this.tail = [...rows];
    return rows;
  }

  /** The endpoints hold the staged events up to `throughSeq`. */
  handedOver(throughSeq: number): void {
    this.handedThrough = Math.max(this.handedThrough, throughSeq);
    if (this.tail) {
      const kept = this.tail.findIndex((s) => s.seq > this.handedThrough);
      this.tail.splice(0, kept === -1 ? this.tail.length : kept);
    }
  }

  /** Deletes the rows of events handed over since last time. */
  dropHandedOver(): void {
    if (this.handedThrough <= this.dropped) return;
    this.sql.exec("DELETE FROM event_outbox WHERE seq <= ?", this.handedThrough);
    this.dropped = this.handedThrough;
  }

  /** A transaction that may have staged or deleted rows was rolled back: the rows are read again. */
  forgetUncommitted(): void {
    this.dropped = 0;
    this.tail = undefined;
  }
}
