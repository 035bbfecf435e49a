/**
 * The `.env` format docker compose reads: KEY=VALUE lines, `export ` prefixes, `#` comments,
 * single quotes (literal), double quotes (with \n escapes), unquoted values with trailing
 * ` # comment` removed. Returns the values and the line each key was set on (for `ports fix`).
 */
export interface DotEnv {
  values: Record<string, string>;
  lines: Record<string, number>;
}

export function parseDotEnv(text: string): DotEnv {
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) return;
    values[m[1]!] = unquote(m[2]!);
    lines[m[1]!] = i + 1;
  });
  return { values, lines };
}

function unquote(value: string): string {
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end > 0 ? value.slice(1, end) : value.slice(1);
  }
  if (value.startsWith('"')) {
    const end = findClosingQuote(value);
    const inner = end > 0 ? value.slice(1, end) : value.slice(1);
    return inner.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  return value.replace(/\s+#.*$/, '').trim();
}

function findClosingQuote(value: string): number {
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return -1;
}
