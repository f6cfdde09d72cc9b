/**
 * Groups concurrent writes to the same Durable Object into one call: while a call for a key is in
 * flight, what other requests add for that key waits and then goes in one next call, so that many
 * requests arriving together cost one transaction (and one commit) instead of one each. A lone request
 * goes at once. Calls for a key run one after another, so the order of what is added is kept.
 *
 * Each call is run by the request that opened its batch, and every request of the batch awaits it: no
 * request's I/O is left to a request that has already answered.
 */
export class Coalescer<T> {
  /** The batch that has not started yet, per key: new items join it. */
  private readonly open = new Map<string, { items: T[]; done: Promise<void> }>();
  /** The last batch started or queued, per key: the next one waits for it. */
  private readonly last = new Map<string, Promise<void>>();

  constructor(private readonly run: (key: string, items: T[]) => Promise<void>) {}

  add(key: string, items: readonly T[]): Promise<void> {
    const open = this.open.get(key);
    if (open) {
      open.items.push(...items);
      return open.done;
    }
    const previous = this.last.get(key);
    const batch = { items: [...items], done: Promise.resolve() };
    if (previous) this.open.set(key, batch);
    batch.done = (async () => {
      if (previous) await previous.catch(() => {});
      if (this.open.get(key) === batch) this.open.delete(key);
      await this.run(key, batch.items);
    })();
    this.last.set(key, batch.done);
    const forget = () => {
      if (this.last.get(key) === batch.done) this.last.delete(key);
    };
    batch.done.then(forget, forget);
    return batch.done;
  }
}
