/// <reference types="vite/client" />
/** Platform payload fixtures as raw text (signatures are computed over exact bytes), by file name. */
const files = import.meta.glob<string>("../fixtures/**/*.json", { eager: true, query: "?raw", import: "default" });

/** Every fixture of a channel: `{ "text": "<raw json>", ... }`. */
export function fixtures(channel: string): Record<string, string> {
  const prefix = `../fixtures/${channel}/`;
  return Object.fromEntries(
    Object.entries(files)
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, raw]) => [path.slice(prefix.length, -".json".length), raw]),
  );
}

export function fixture(channel: string, name: string): string {
  const raw = fixtures(channel)[name];
  if (raw === undefined) throw new Error(`no fixture ${channel}/${name}`);
  return raw;
}
