/**
 * A 3x5 pixel bitmap font with just the characters plot labels need:
 * digits, sign, decimal point, and the letters of `x (um)`, `first`, `last`.
 */

const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '###', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '..#', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '-': ['...', '...', '###', '...', '...'],
  '.': ['...', '...', '...', '...', '.#.'],
  ' ': ['...', '...', '...', '...', '...'],
  '(': ['.#.', '#..', '#..', '#..', '.#.'],
  ')': ['.#.', '..#', '..#', '..#', '.#.'],
  a: ['...', '.##', '#.#', '#.#', '.##'],
  f: ['.##', '#..', '##.', '#..', '#..'],
  i: ['.#.', '...', '.#.', '.#.', '.#.'],
  l: ['#..', '#..', '#..', '#..', '.##'],
  m: ['...', '##.', '###', '#.#', '#.#'],
  n: ['...', '##.', '#.#', '#.#', '#.#'],
  r: ['...', '#.#', '##.', '#..', '#..'],
  s: ['.##', '#..', '.#.', '..#', '##.'],
  t: ['.#.', '###', '.#.', '.#.', '.##'],
  u: ['...', '#.#', '#.#', '#.#', '###'],
  x: ['...', '#.#', '.#.', '.#.', '#.#'],
  y: ['#.#', '#.#', '.#.', '.#.', '.#.'],
};

/** Glyph width and height in font pixels, and the gap between glyphs. */
export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
export const GLYPH_GAP = 1;

/** Rows of a character's glyph ('#' lit); characters without a glyph draw as blanks. */
export function glyph(char: string): readonly string[] {
  return GLYPHS[char] ?? GLYPHS[' ']!;
}

/** Width in font pixels of `text`. */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + GLYPH_GAP) - GLYPH_GAP;
}
