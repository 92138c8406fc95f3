/** Splits a byte stream into lines, keeping a partial last line until its newline arrives. Bounded per line. */
export function lineSplitter(onLine: (line: string) => void, maxLine = 64 * 1024): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk.toString();
    const parts = text.split(/\r?\n/);
    rest = parts.pop() ?? '';
    if (rest.length > maxLine) {
      onLine(rest.slice(0, maxLine));
      rest = '';
    }
    for (const p of parts) onLine(p);
  };
}
