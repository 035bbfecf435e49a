/**
 * Set NAME's value in .env text, changing only the value's characters: `export`, quotes and a
 * trailing comment stay. Undefined when NAME is not assigned in the file.
 */
export function editEnvValue(text: string, name: string, value: string): string | undefined {
  const lines = text.split('\n');
  const pattern = new RegExp(`^(\\s*(?:export\\s+)?${escapeRegExp(name)}\\s*=\\s*)(.*)$`);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = pattern.exec(lines[i]!);
    if (!m) continue;
    const rest = m[2]!;
    let next: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const q = rest[0]!;
      const close = rest.indexOf(q, 1);
      next = `${q}${value}${q}${close > 0 ? rest.slice(close + 1) : ''}`;
    } else {
      const comment = /\s+#.*$/.exec(rest);
      next = `${value}${comment ? comment[0] : ''}`;
    }
    lines[i] = `${m[1]}${next}`;
    return lines.join('\n');
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
