import type { InboundEvent } from "../model";

/** Staged events handed to the endpoints at once, at most. */
export const STAGED_BATCH = 500;

/**
 * The events a conversation shard stages for its tenant's endpoints (statuses, and what webhooks stored
 * there), in order, each in the transaction of the change it reports. Once the endpoints hold them, their
 * rows are deleted by the next staging (or the shard's alarm), not by a commit of their own: should the
 * object restart before that, they are handed over again, and each endpoint keeps an event id once.
 */
export class StagedEvents {
  /** Staged events up to this seq are held by the endpoints (in memory only). */
  private handedThrough = 0;
  /** Rows up to this seq are deleted. */
  private dropped = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** Stages an event, inside the caller's transaction, which also deletes what was handed over since. */
  add(event: InboundEvent): void {
    this.dropHandedOver();
    this.sql.exec("INSERT INTO event_outbox (id, event) VALUES (?, ?)", event.id, JSON.stringify(event));
  }

  /** Staged events not handed over yet, in order. */
  pending(limit = STAGED_BATCH): { seq: number; event: InboundEvent }[] {
    return this.sql
      .exec<{ seq: number; event: string }>("SELECT seq, event FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT ?", this.handedThrough, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as InboundEvent }));
  }

  /** The endpoints hold the staged events up to `throughSeq`. */
  handedOver(throughSeq: number): void {
    this.handedThrough = Math.max(this.handedThrough, throughSeq);
  }

  /** Deletes the rows of events handed over since last time. */
  dropHandedOver(): void {
    if (this.handedThrough <= this.dropped) return;
    this.sql.exec("DELETE FROM event_outbox WHERE seq <= ?", this.handedThrough);
    this.dropped = this.handedThrough;
  }

  /** A transaction that may have deleted rows was rolled back: they are deleted again next time. */
  forgetDropped(): void {
    this.dropped = 0;
  }
}
