/**
 * The local fakes of the platforms' APIs (sandbox/fake-*.js), by channel. Global setup starts each and
 * provides their URLs as `platformUrls`. Node-side only.
 */
import { startFakeApple } from "../../sandbox/fake-apple.js";
import { startFakeMessenger } from "../../sandbox/fake-messenger.js";
import { startFakeTelegram } from "../../sandbox/fake-telegram.js";
import { startFakeViber } from "../../sandbox/fake-viber.js";
import { startFakeWhatsAppCloud } from "../../sandbox/fake-whatsapp-cloud.js";

type StartFake = (options: { quiet: boolean }) => Promise<{ url: string; close(): Promise<void> }>;

export const FAKE_PLATFORMS: Record<string, StartFake> = {
  "whatsapp-cloud": startFakeWhatsAppCloud,
  messenger: startFakeMessenger,
  telegram: startFakeTelegram,
  viber: startFakeViber,
  apple: startFakeApple,
};
