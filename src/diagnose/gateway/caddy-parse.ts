import { dirname, isAbsolute, resolve } from 'node:path';
import { type ConfSource, ConfSyntaxError, readIncluded } from './conf-source.js';

/** One Caddyfile line: its words, and the block it opens with a trailing `{`. */
export interface CaddyNode {
  words: string[];
  file: string;
  line: number;
  block?: CaddyNode[];
}

interface Token {
  text: string;
  line: number;
  /** Quoted tokens are never block braces. */
  quoted: boolean;
}

/**
 * Caddyfile lexer: words, `"…"` and backtick strings, one token list per line. A `#` starts a
 * comment only at the start of a token (`"a # b"` and `a#b` are kept), as Caddy does.
 */
export function caddyLines(text: string, file: string): Token[][] {
  const lines: Token[][] = [];
  let current: Token[] = [];
  let line = 1;
  let i = 0;
  const endLine = () => {
    if (current.length) lines.push(current);
    current = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      endLine();
      line++;
      i++;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      line++;
      i += 2; // a line continuation
    } else if (/\s/.test(ch)) i++;
    else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '"' || ch === '`') {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== ch) {
        if (ch === '"' && text[i] === '\\' && text[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        value += text[i++];
      }
      if (i >= text.length) throw new ConfSyntaxError(file, start, `unterminated ${ch} string`);
      i++;
      current.push({ text: value, line: start, quoted: true });
    } else {
      let word = '';
      while (i < text.length && !/\s/.test(text[i]!)) word += text[i++];
      current.push({ text: word, line, quoted: false });
    }
  }
  endLine();
  return lines;
}

const isOpen = (t: Token | undefined) => t !== undefined && !t.quoted && t.text === '{';
const isClose = (l: Token[]) => l.length === 1 && !l[0]!.quoted && l[0]!.text === '}';

/**
 * A Caddyfile as a tree of lines, with `import` replaced by the snippet or the files it names
 * (paths relative to the importing file, globs expanded); cycles are refused.
 */
export function parseCaddyfile(main: string, source: ConfSource): { nodes: CaddyNode[]; files: string[] } {
  const files: string[] = [];
  const snippets = new Map<string, CaddyNode[]>();
  const parseFile = (file: string, stack: string[], at?: { file: string; line: number }): CaddyNode[] => {
    const text = readIncluded(source, { file, stack, at, files, keyword: 'import' });
    const lines = caddyLines(text, file);
    let i = 0;
    const block = (depth: number, openedAt: number): CaddyNode[] => {
      const out: CaddyNode[] = [];
      while (i < lines.length) {
        const l = lines[i++]!;
        if (isClose(l)) {
          if (depth === 0) throw new ConfSyntaxError(file, l[0]!.line, 'unexpected "}"');
          return out;
        }
        const opens = isOpen(l.at(-1));
        const words = (opens ? l.slice(0, -1) : l).map((t) => t.text);
        const node: CaddyNode = { words, file, line: l[0]!.line };
        if (opens) node.block = block(depth + 1, l[0]!.line);
        if (depth === 0 && /^\(.+\)$/.test(words[0] ?? '') && node.block) {
          snippets.set(words[0]!.slice(1, -1), node.block);
          continue;
        }
        if (words[0] === 'import' && words[1]) {
          const snippet = snippets.get(words[1]);
          if (snippet) out.push(...snippet);
          else {
            const pattern = isAbsolute(words[1]) ? words[1] : resolve(dirname(file), words[1]);
            for (const f of source.include(pattern)) out.push(...parseFile(f, [...stack, file], node));
          }
          continue;
        }
        out.push(node);
      }
      if (depth > 0) throw new ConfSyntaxError(file, openedAt, 'unexpected end of file, expecting "}"');
      return out;
    };
    return block(0, 0);
  };
  return { nodes: parseFile(main, []), files };
}
