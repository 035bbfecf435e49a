/**
 * Set NAME's value in .env text, changing only the value's characters: `export`, quotes, a
 * trailing comment, trailing spaces and CRLF line endings stay. The last assignment wins (as when
 * compose reads the file), so that is the one edited. Undefined when NAME is not assigned in the
 * file, or when its current value is not exactly `expected` (a value such as `127.0.0.1:5432`
 * holds more than the port, and rewriting it would change more than the port).
 */
export function editEnvValue(
  text: string,
  name: string,
  value: string,
  expected?: string,
): string | undefined {
  const lines = text.split('\n');
  const pattern = new RegExp(`^(\\s*(?:export\\s+)?${escapeRegExp(name)}\\s*=\\s*)(.*?)(\\r?)$`);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = pattern.exec(lines[i]!);
    if (!m) continue;
    const rest = m[2]!;
    let current: string;
    let next: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const q = rest[0]!;
      const close = rest.indexOf(q, 1);
      if (close < 0) return undefined;
      current = rest.slice(1, close);
      next = `${q}${value}${q}${rest.slice(close + 1)}`;
    } else {
      const tail = /\s+#.*$|\s+$/.exec(rest);
      current = tail ? rest.slice(0, tail.index) : rest;
      next = `${value}${tail ? tail[0] : ''}`;
    }
    if (expected !== undefined && current.trim() !== expected) return undefined;
    lines[i] = `${m[1]}${next}${m[3]}`;
    return lines.join('\n');
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
