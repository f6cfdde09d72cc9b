import { startFakeTelegram } from "../../sandbox/fake-telegram.js";
import { startFakeMessenger } from "../../sandbox/fake-messenger.js";
import { startFakeWhatsAppCloud } from "../../sandbox/fake-whatsapp-cloud.js";
import { startFakeApple } from "../../sandbox/fake-apple.js";
import { startFakeViber } from "../../sandbox/fake-viber.js";
/**
 * The local fakes of the platforms' APIs (sandbox/fake-*.js), by channel. Global setup starts each and
 * provides their URLs as `platformUrls`. Node-side only.
 */
export const FAKE_PLATFORMS: Record<string, (options: { quiet: boolean }) => Promise<{ url: string; close(): Promise<void> }>> = {
  "messenger": startFakeMessenger,
  "telegram": startFakeTelegram,
  "whatsapp-cloud": startFakeWhatsAppCloud,
  "apple": startFakeApple,
  "viber": startFakeViber,
  // channels: add fake platforms above this line
};
