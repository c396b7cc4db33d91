/**
 * Text widths for laying out charts on a server that has no canvas. The estimate is per character
 * class, taken from DejaVu Sans (Debian's default sans-serif, the widest of the fonts the page names)
 * plus 8 %: a label laid out with it has room in the browser whichever of those fonts draws it.
 */
export const LABEL_FONT_SIZE = 12;

const NARROW = new Set([...'iljI.,:;\'|!`()[]{}/\\ft']);
const WIDE = new Set([...'mwMW@%']);

/** Width in px of `text` in `font` (a CSS font shorthand; its px size is read, 12 px by default). */
export function estimateTextWidth(text: string, font?: string): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? LABEL_FONT_SIZE);
  const bold = /\b(bold|[6-9]00)\b/.test(font ?? '');
  let em = 0;
  for (const c of text) {
    if (c === ' ') em += 0.32;
    else if (NARROW.has(c)) em += 0.36;
    else if (WIDE.has(c)) em += 0.98;
    else if (c >= 'A' && c <= 'Z') em += 0.76;
    else if (c >= '0' && c <= '9') em += 0.64;
    else if (c === '_' || c === '-') em += 0.5;
    else em += 0.62;
  }
  return em * size * (bold ? 1.14 : 1.08);
}

/** How many lines `text` takes when wrapped at spaces into `width` px (a word longer than a line is split). */
export function wrappedLines(text: string, width: number, font?: string): number {
  let lines = 1;
  let used = 0;
  const space = estimateTextWidth(' ', font);
  for (const word of text.split(' ')) {
    const w = estimateTextWidth(word, font);
    if (used > 0 && used + space + w <= width) {
      used += space + w;
      continue;
    }
    if (used > 0) lines += 1;
    lines += Math.max(0, Math.ceil(w / width) - 1);
    used = w % width || (w > 0 ? width : 0);
  }
  return lines;
}

/** The height of a legend of `names` wrapped into rows of `width` px (marker 18 px, gaps 20 px). */
export function legendHeight(names: readonly string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const n of names) {
    const w = 18 + 5 + estimateTextWidth(n);
    if (used > 0 && used + 20 + w > width) {
      rows += 1;
      used = w;
    } else {
      used += (used > 0 ? 20 : 0) + w;
    }
  }
  return rows * 14 + (rows - 1) * 20 + 8;
}
