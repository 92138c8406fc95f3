/**
 * For quant.spec.ts: the app's URL on another page, and the numbers a piece of UI text shows (whatever the
 * locale's grouping), to compare what the UI says with what the core measured.
 */

/** `url` (with its token) showing the route `hash` (`#/library`, `#/chat/<id>` …). */
export function withHash(url: string, hash: string): string {
  const u = new URL(url);
  u.hash = hash;
  return u.toString();
}

/** Every number in `text`: "1,234.5", "1 234,5" is not parsed as one (the e2e app runs in en-US); "12.3 %" → 12.3. */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, '')));
}
