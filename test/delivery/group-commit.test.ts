import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/delivery/group-commit";

/** A fresh object's storage with one table, and a count of the transactions opened on it. */
function withStorage(run: (o: { storage: { transactionSync: DurableObjectStorage["transactionSync"] }; sql: SqlStorage; transactions: () => number }) => Promise<void>) {
  return runInDurableObject(env.ENDPOINTS.get(env.ENDPOINTS.newUniqueId()), async (_, state) => {
    state.storage.sql.exec("CREATE TABLE t (v TEXT PRIMARY KEY)");
    let opened = 0;
    const storage = {
      transactionSync: <T>(work: () => T): T => {
        opened++;
        return state.storage.transactionSync(work);
      },
    };
    await run({ storage, sql: state.storage.sql, transactions: () => opened });
  });
}

const rows = (sql: SqlStorage) => sql.exec<{ v: string }>("SELECT v FROM t ORDER BY v").toArray().map((r) => r.v);
const insert = (sql: SqlStorage, v: string) => () => sql.exec<{ v: string }>("INSERT INTO t (v) VALUES (?) RETURNING v", v).one().v;

describe("group commit", () => {
  it("makes a write that comes alone at once, in a transaction of its own", () =>
    withStorage(async ({ storage, sql, transactions }) => {
      const writes = new GroupCommit(storage);
      const done = writes.run(insert(sql, "a"));
      expect(rows(sql)).toEqual(["a"]);
      expect(await done).toBe("a");
      expect(transactions()).toBe(1);
    }));

  it("puts writes that arrive together in one transaction, in the order they came", () =>
    withStorage(async ({ storage, sql, transactions }) => {
      const writes = new GroupCommit(storage);
      const first = writes.run(insert(sql, "a"));
      // The runtime's clock has not moved: these arrive with the first and wait for one another.
      const rest = ["b", "c", "d"].map((v) => writes.run(insert(sql, v)));
      expect(rows(sql)).toEqual(["a"]);
      expect(await Promise.all([first, ...rest])).toEqual(["a", "b", "c", "d"]);
      expect(rows(sql)).toEqual(["a", "b", "c", "d"]);
      expect(transactions()).toBe(2);
    }));

  it("rejects only the write that failed: the others of its group are made on their own", () =>
    withStorage(async ({ storage, sql, transactions }) => {
      let forgotten = 0;
      const writes = new GroupCommit(storage, () => forgotten++);
      await writes.run(insert(sql, "a"));
      const group = [writes.run(insert(sql, "b")), writes.run(insert(sql, "a")), writes.run(insert(sql, "c"))];
      const outcomes = await Promise.allSettled(group);
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
      expect(rows(sql)).toEqual(["a", "b", "c"]);
      // The first write alone, the group's rolled-back try, then each of the three on its own.
      expect(transactions()).toBe(1 + 1 + 3);
      // What the object kept in memory is forgotten after the group's rollback and after the failed write.
      expect(forgotten).toBe(2);
    }));

  it("answers a failing write alone with its error, and goes on", () =>
    withStorage(async ({ storage, sql }) => {
      const writes = new GroupCommit(storage);
      await writes.run(insert(sql, "a"));
      await scheduler.wait(5);
      await expect(writes.run(insert(sql, "a"))).rejects.toThrow(/UNIQUE constraint failed/);
      await scheduler.wait(5);
      expect(await writes.run(insert(sql, "b"))).toBe("b");
      expect(rows(sql)).toEqual(["a", "b"]);
    }));
});
