import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig } from "vitest/config";
import { MASTER_KEY } from "./test/support/constants.ts";
import { testNetwork } from "./test/support/test-network.ts";

export default defineConfig({
  test: {
    projects: [
      // The relay's tests, inside workerd (@cloudflare/vitest-pool-workers).
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { RELAY_CONFIG: inject("relayConfig"), RETRY_TIME_SCALE: "0.01", ADMIN_KEYS: inject("adminKeys"), RELAY_MASTER_KEY: MASTER_KEY },
              // Every outbound request goes through the test network: loopback, a stand-in internet, nothing else.
              outboundService: testNetwork,
              // The console's files (npm run build:console) under a binding of the tests only: the test
              // runner's fetch reaches the Worker alone, not the asset router in front of it.
              assets: { directory: "./public", binding: "ASSETS" },
            },
          })),
        ],
        test: {
          name: "workers",
          exclude: [...configDefaults.exclude, "test/soak/**", "test/browser/**"],
          // Two files at a time on two cores: most of a file's time is waiting on workerd and loopback servers.
          maxWorkers: 2,
          globalSetup: ["./test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // The fault suite (soak/harness.mjs, small): spawns workerd and kills it, so it runs in Node;
      // after the workers project (groupOrder), so that neither times the other's load on two cores.
      {
        test: {
          name: "fault-suite",
          sequence: { groupOrder: 1 },
          include: ["test/soak/**/*.test.ts"],
          environment: "node",
          // One at a time: each drives raw workerd hard, and the machine has two cores.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      // The web console in a real browser (Chromium, driven by playwright-core) against the sandbox
      // under wrangler dev, as `npm start` runs it: in Node, after the other projects.
      {
        test: {
          name: "console",
          sequence: { groupOrder: 2 },
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
