/** What a Durable Object's storage offers that a group commit needs. */
type Transactional = Pick<DurableObjectStorage, "transactionSync">;

/** Writes closer together than this share a transaction; one after a pause goes at once. */
const TOGETHER_MS = 2;

/**
 * Waits the moment within which writes count as together: a loop that records outcomes as they arrive
 * waits it once one is in, so that those arriving meanwhile share its transaction.
 */
export const momentForOthers = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, TOGETHER_MS));

interface Waiting {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes to one Durable Object that arrive together, committed together. Each call made to the object
 * commits on its own otherwise (a disk sync each); under load many calls arrive within a moment, and one
 * transaction for all of them costs little more than one for each. A write that comes alone is made at
 * once, so that a quiet object answers as fast as before. Each write still
 * stands alone: when one throws, the shared transaction is rolled back and every write of the group runs
 * again in a transaction of its own, so that only the one that failed is rejected. A caller's promise
 * resolves once its write is in a transaction, and the runtime's output gate holds the object's answer
 * until that transaction is durable, so nothing is acknowledged early.
 * @see https://developers.cloudflare.com/durable-objects/api/storage-api/#transactionsync
 * @see https://blog.cloudflare.com/durable-objects-easy-fast-correct-choose-three/
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  /** When the last write came (the runtime's clock moves with each event it delivers). */
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  /** @param rolledBack forgets what the object keeps in memory of writes that were rolled back */
  constructor(
    private readonly storage: Transactional,
    private readonly rolledBack: () => void = () => {},
  ) {}

  /**
   * Runs `work` (synchronous storage writes, which may run a second time should another write of its
   * group fail) in the next shared transaction; resolves with its result.
   */
  run<T>(work: () => T): Promise<T> {
    const now = Date.now();
    const together = this.waiting.length > 0 || now - this.lastWriteAt < TOGETHER_MS;
    this.lastWriteAt = now;
    // A write alone (the object is not busy) is not kept waiting: a timer costs more than it saves then.
    return new Promise<T>((resolve, reject) => {
      const waiting = { work, resolve: resolve as (value: unknown) => void, reject };
      if (!together) return this.alone(waiting);
      // The first write of a group waits one turn for the others that are arriving with it.
      if (this.waiting.length === 0) setTimeout(() => this.commit(), 0);
      this.waiting.push(waiting);
    });
  }

  /** One write in a transaction of its own. */
  private alone(w: Waiting): void {
    try {
      w.resolve(this.storage.transactionSync(w.work));
    } catch (error) {
      this.rolledBack();
      w.reject(error);
    }
  }

  private commit(): void {
    const group = this.waiting.splice(0);
    let values: unknown[] | undefined;
    try {
      // Savepoints for each write would cost statements on every write; failures are rare.
      values = this.storage.transactionSync(() => group.map(({ work }) => work()));
    } catch {
      // Rolled back: each on its own now, so that one failing write does not fail the others.
      this.rolledBack();
      for (const w of group) this.alone(w);
      return;
    }
    group.forEach((w, i) => w.resolve(values[i]));
  }
}
