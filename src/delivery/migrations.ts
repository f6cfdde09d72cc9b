/**
 * Runs numbered, append-only schema migrations on a Durable Object's SQLite storage. Each migration runs
 * once, in order, inside the constructor's blockConcurrencyWhile so no request sees a half-migrated schema.
 * Never edit a shipped migration: add the next one.
 */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const row = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM _migrations").one();
  for (let v = (row.v ?? 0) + 1; v <= migrations.length; v++) {
    sql.exec(migrations[v - 1]!);
    sql.exec("INSERT INTO _migrations (version, applied_at) VALUES (?, ?)", v, Date.now());
  }
}
