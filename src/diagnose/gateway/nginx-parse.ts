import { dirname, isAbsolute, resolve } from 'node:path';
import { type ConfSource, ConfSyntaxError, readIncluded } from './conf-source.js';

export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
  file: string;
  line: number;
}

interface Token {
  text: string;
  /** Quoted tokens are never `;`, `{` or `}`. */
  quoted: boolean;
  line: number;
}

export { ConfSyntaxError } from './conf-source.js';

/**
 * nginx's tokenizer: words, `"…"`/`'…'` strings with backslash escapes, `;`, `{`, `}`. A `#`
 * starts a comment only where a new token would start — never inside quotes or a word, so
 * `add_header X "a#b";` keeps its value.
 */
export function tokenizeNginx(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) i++;
    else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ text: ch, quoted: false, line });
      i++;
    } else if (ch === '"' || ch === "'") {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          value +=
            next === 'n'
              ? '\n'
              : next === 't'
                ? '\t'
                : next === 'r'
                  ? '\r'
                  : next === ch || next === '\\'
                    ? next
                    : `\\${next}`;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        value += text[i++];
      }
      if (i >= text.length) throw new ConfSyntaxError(file, start, `unterminated ${ch} string`);
      i++;
      tokens.push({ text: value, quoted: true, line: start });
    } else {
      let word = '';
      while (i < text.length) {
        const c = text[i]!;
        if (/\s/.test(c) || c === ';' || c === '}') break;
        if (c === '{') {
          // `${name}` is a variable inside a word, not a block.
          if (word.endsWith('$')) {
            const close = text.indexOf('}', i);
            if (close < 0) break;
            word += text.slice(i, close + 1);
            i = close + 1;
            continue;
          }
          break;
        }
        if (c === '\\' && i + 1 < text.length) {
          word += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        word += c;
        i++;
      }
      tokens.push({ text: word, quoted: false, line });
    }
  }
  return tokens;
}

const maxIncludeDepth = 32;

/**
 * An nginx configuration as a directive tree, with every `include` replaced by the directives of
 * the files it names (relative paths against the main file's folder, as nginx does; globs
 * expanded). An include cycle, a missing file or a syntax error throws ConfSyntaxError.
 */
export function parseNginxConf(
  main: string,
  source: ConfSource,
): { directives: Directive[]; files: string[] } {
  const prefix = dirname(main);
  const files: string[] = [];
  const parseFile = (file: string, stack: string[], at?: { file: string; line: number }): Directive[] => {
    const text = readIncluded(source, {
      file,
      stack,
      at,
      files,
      keyword: 'include',
      maxDepth: maxIncludeDepth,
    });
    const tokens = tokenizeNginx(text, file);
    let i = 0;
    const block = (depth: number, openedAt: number): Directive[] => {
      const out: Directive[] = [];
      let words: Token[] = [];
      while (i < tokens.length) {
        const t = tokens[i++]!;
        if (!t.quoted && t.text === ';') {
          if (words.length === 0) throw new ConfSyntaxError(file, t.line, 'unexpected ";"');
          const d: Directive = {
            name: words[0]!.text,
            args: words.slice(1).map((w) => w.text),
            file,
            line: words[0]!.line,
          };
          words = [];
          if (d.name === 'include' && d.args[0]) {
            const pattern = isAbsolute(d.args[0]) ? d.args[0] : resolve(prefix, d.args[0]);
            for (const f of source.include(pattern)) out.push(...parseFile(f, [...stack, file], d));
          } else out.push(d);
        } else if (!t.quoted && t.text === '{') {
          if (words.length === 0) throw new ConfSyntaxError(file, t.line, 'unexpected "{"');
          const head = words;
          words = [];
          out.push({
            name: head[0]!.text,
            args: head.slice(1).map((w) => w.text),
            file,
            line: head[0]!.line,
            block: block(depth + 1, t.line),
          });
        } else if (!t.quoted && t.text === '}') {
          if (depth === 0) throw new ConfSyntaxError(file, t.line, 'unexpected "}"');
          if (words.length) throw new ConfSyntaxError(file, t.line, 'unexpected "}" (missing ";")');
          return out;
        } else words.push(t);
      }
      if (words.length)
        throw new ConfSyntaxError(file, words[0]!.line, 'unexpected end of file, expecting ";" or "}"');
      if (depth > 0) throw new ConfSyntaxError(file, openedAt, 'unexpected end of file, expecting "}"');
      return out;
    };
    return block(0, 0);
  };
  return { directives: parseFile(main, []), files };
}
