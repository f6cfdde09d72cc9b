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
            },
          })),
        ],
        test: {
          name: "workers",
          exclude: [...configDefaults.exclude, "test/soak/**"],
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
    ],
  },
});
