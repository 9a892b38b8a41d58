/**
 * Display names (members and parties) are shown to other people in terminals, logs, the tray
 * menu and the window, so a name must not be able to pass for another one or rewrite what is
 * printed around it:
 *
 * - normalised to NFC, so "é" typed two ways is one name;
 * - refused when it holds a control character (C0, DEL, C1), a bidirectional control (LRE, RLO,
 *   LRI, …, which reorder the rest of a line), an invisible formatting character (zero-width
 *   space/joiner, word joiner, BOM, soft hyphen…) or a line/paragraph separator — each with an
 *   error naming the character;
 * - every output that prints a name still escapes it (`printableName`): names from an older
 *   server or a file were never checked.
 */

/** Why 40: fits a tray menu line and a status column; long enough for any real nickname. */
export const MAX_NAME_LENGTH = 40;

/** General category Cc (controls), Cf (format: bidi, zero-width, BOM…), Zl, Zp; plus U+2028/9. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const FORBIDDEN_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The NFC, trimmed name, or why it cannot be one. */
export function checkDisplayName(
  input: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const name = input.normalize('NFC').trim();
  if (name.length === 0) return { ok: false, error: 'must not be empty' };
  if ([...name].length > MAX_NAME_LENGTH) {
    return { ok: false, error: `must be at most ${MAX_NAME_LENGTH} characters` };
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    return {
      ok: false,
      error: `must not contain control, bidirectional or invisible characters (found ${codePoint(bad[0])})`,
    };
  }
  return { ok: true, value: name };
}

/** For printing a name that may never have been checked: forbidden characters as \u{…}. */
export function printableName(name: string): string {
  return name.replace(FORBIDDEN_ALL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * `name`, or `name (2)`, `name (3)`… — the first not already taken in `taken` (compared
 * case-insensitively after NFC), so two members of one party never show the same name.
 */
export function disambiguateName(name: string, taken: readonly string[]): string {
  const key = (s: string) => s.normalize('NFC').toLocaleLowerCase('en');
  const used = new Set(taken.map(key));
  if (!used.has(key(name))) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const base = [...name].slice(0, MAX_NAME_LENGTH - suffix.length).join('');
    const candidate = `${base}${suffix}`;
    if (!used.has(key(candidate))) return candidate;
  }
}
