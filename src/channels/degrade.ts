import type { OutboundContent } from "../model";
import type { Capabilities } from "./types";

type Content<T extends OutboundContent["type"]> = Extract<OutboundContent, { type: T }>;
type Choice = { id: string; title: string; description?: string };

/** What a relay message becomes on one platform: the parts to send in order, or why it cannot be sent. */
export type Plan = { parts: OutboundContent[] } | { refused: string };

/**
 * Splits a text into pieces of at most `max` characters, at paragraph, line or word boundaries where it
 * can (a single word longer than `max` is cut). Never splits a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while ([...rest].length > max) {
    const window = [...rest].slice(0, max + 1).join("");
    let cut = -1;
    for (const boundary of ["\n\n", "\n", " "]) {
      cut = window.lastIndexOf(boundary, window.length - 1);
      if (cut > max / 3) break;
    }
    if (cut <= 0) cut = [...rest].slice(0, max).join("").length;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Buttons or rows as a numbered list the customer can answer by number or title. */
function numbered(text: string, choices: Choice[]): string {
  const lines = choices.map((c, i) => `${i + 1}. ${c.title}${c.description ? ` (${c.description})` : ""}`);
  return `${text}\n\n${lines.join("\n")}`;
}

function rowsOf(list: Content<"list">): Choice[] {
  return list.sections.flatMap((s) => s.rows);
}

function fitsButtons(c: Capabilities, text: string, choices: Choice[]): boolean {
  const b = c.buttons;
  return (
    !!b &&
    c.contentTypes.includes("buttons") &&
    choices.length <= b.max &&
    text.length <= b.maxTextLength &&
    choices.every((x) => x.title.length <= b.maxTitleLength && !x.description)
  );
}

function fitsList(c: Capabilities, text: string, choices: Choice[]): boolean {
  const l = c.list;
  return (
    !!l &&
    c.contentTypes.includes("list") &&
    choices.length <= l.maxRows &&
    text.length <= l.maxTextLength &&
    choices.every((x) => x.title.length <= l.maxTitleLength)
  );
}

function fitsUrlButton(c: Capabilities, button: Content<"url_button">): boolean {
  const u = c.urlButton;
  return !!u && c.contentTypes.includes("url_button") && button.title.length <= u.maxTitleLength && button.text.length <= u.maxTextLength;
}

const texts = (text: string, c: Capabilities): OutboundContent[] =>
  splitText(text, c.maxTextLength).map((t) => ({ type: "text", text: t }));

/**
 * Fits one relay message to a platform's capabilities: long texts are split at word boundaries;
 * buttons become a list or a numbered text where the platform lacks them; a list becomes buttons or a
 * numbered text; unsupported media and locations become a text with their link; a too-long caption
 * follows the media as a text; a URL button the platform lacks (or whose label or text is too long for
 * it) becomes its text followed by "title: url". Templates exist only on WhatsApp and reactions only where
 * the platform has them: both are refused elsewhere.
 */
export function planParts(content: OutboundContent, c: Capabilities): Plan {
  const plan = fit(content, c);
  // Content that renders to nothing is refused, never queued as a message with no parts.
  return "parts" in plan && plan.parts.length === 0 ? { refused: "The message renders to nothing: give it visible text." } : plan;
}

function fit(content: OutboundContent, c: Capabilities): Plan {
  switch (content.type) {
    case "text":
      return { parts: texts(content.text, c) };
    case "buttons": {
      if (fitsButtons(c, content.text, content.buttons)) return { parts: [content] };
      if (fitsList(c, content.text, content.buttons)) {
        return { parts: [{ type: "list", text: content.text, button: "Choose", sections: [{ rows: content.buttons }] }] };
      }
      return { parts: texts(numbered(content.text, content.buttons), c) };
    }
    case "list": {
      const rows = rowsOf(content);
      if (fitsList(c, content.text, rows)) return { parts: [content] };
      if (fitsButtons(c, content.text, rows)) {
        return { parts: [{ type: "buttons", text: content.text, buttons: rows.map(({ id, title }) => ({ id, title })) }] };
      }
      return { parts: texts(numbered(content.text, rows), c) };
    }
    case "image":
    case "video":
    case "audio":
    case "document": {
      const caption = "caption" in content ? content.caption : undefined;
      if (!c.contentTypes.includes(content.type)) {
        return { parts: texts(caption ? `${caption}\n${content.url}` : content.url, c) };
      }
      if (caption && c.maxCaptionLength !== undefined && caption.length > c.maxCaptionLength) {
        const { caption: _, ...media } = content as Content<"image">;
        return { parts: [media, ...texts(caption, c)] };
      }
      return { parts: [content] };
    }
    case "location": {
      if (c.contentTypes.includes("location")) return { parts: [content] };
      const label = [content.name, content.address].filter(Boolean).join(", ");
      const link = `https://maps.google.com/?q=${content.latitude},${content.longitude}`;
      return { parts: texts(label ? `${label}\n${link}` : link, c) };
    }
    case "template":
      if (c.contentTypes.includes("template")) return { parts: [content] };
      return { refused: "Templates are a WhatsApp feature; send text or media on this channel." };
    case "url_button":
      if (fitsUrlButton(c, content)) return { parts: [content] };
      return { parts: texts(`${content.text}\n\n${content.title}: ${content.url}`, c) };
    case "reaction":
      // A reaction has no textual form that would mean the same: an emoji sent as a message is not one.
      if (c.contentTypes.includes("reaction")) return { parts: [content] };
      return { refused: "This channel has no reactions a business can send." };
  }
}
