/**
 * The local fakes of the platforms' APIs (sandbox/fake-*.js), by channel. Global setup starts each and
 * provides their URLs as `platformUrls`. Node-side only.
 */
export const FAKE_PLATFORMS: Record<string, (options: { quiet: boolean }) => Promise<{ url: string; close(): Promise<void> }>> = {
  // channels: add fake platforms above this line
};
