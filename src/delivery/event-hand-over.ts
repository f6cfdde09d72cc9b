import type { Env } from "../env";
import type { ConversationStore } from "./conversation-store";
import { handToEndpoints } from "./fan-out";
import { STAGED_BATCH } from "./staged-events";

/**
 * Hands a conversation shard's staged events (statuses, and what webhooks stored there) to the outboxes
 * of its tenant's endpoints, in order and in batches; a batch is forgotten only once the endpoints
 * stored it. One hand-over at a time: every call made during one shares the next, which takes all that
 * is staged by then. Rejects with NoEndpointError while the tenant has no endpoint.
 */
export class EventHandOver {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly env: Env,
    private readonly store: ConversationStore,
  ) {}

  run(): Promise<void> {
    if (!this.running) {
      this.running = this.handOver().finally(() => (this.running = undefined));
      return this.running;
    }
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.run();
      });
    return this.next;
  }

  private async handOver(): Promise<void> {
    const tenant = this.store.owner?.tenant;
    if (!tenant) return;
    for (;;) {
      const batch = this.store.staged.pending(STAGED_BATCH);
      if (batch.length === 0) return;
      await handToEndpoints(this.env, tenant, batch.map((b) => b.event));
      this.store.staged.handedOver(batch[batch.length - 1]!.seq);
      // A short batch was all there was: what is staged meanwhile comes with the run its stager asked for.
      if (batch.length < STAGED_BATCH) return;
    }
  }
}
