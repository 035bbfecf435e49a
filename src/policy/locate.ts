import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { PublishedPort } from '../compose/model.js';
import type { Location } from './model.js';

/**
 * Finds where a compose or portico.yaml value was written, with its column: the compose model
 * keeps lines for ports only, and SARIF results want line and column for every finding.
 * Files are parsed once, lazily; a path that is not in a file gives undefined.
 */
export class Locator {
  private readonly docs = new Map<string, { root: Node | null; counter: LineCounter } | null>();

  /** The value at `path` in `file` (the key's position when the value is a block). */
  at(file: string, path: ReadonlyArray<string | number>): Location | undefined {
    const parsed = this.parse(file);
    if (!parsed) return undefined;
    let node: Node | null = parsed.root;
    let keyNode: Node | null = null;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown } | null)?.value) === String(step),
        );
        if (!pair) return undefined;
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof step === 'number') {
        node = (node.items[step] as Node | undefined) ?? null;
        keyNode = null;
        if (!node) return undefined;
      } else {
        return undefined;
      }
    }
    const target = keyNode ?? node;
    if (!target?.range) return undefined;
    const pos = parsed.counter.linePos(target.range[0]);
    return { file, line: pos.line, col: pos.col };
  }

  /**
   * A compose `environment:` entry, in either syntax: the `KEY:` of the map form or the
   * `KEY=value` item of the list form.
   */
  envEntry(file: string, service: string, key: string): Location | undefined {
    const inMap = this.at(file, ['services', service, 'environment', key]);
    if (inMap) return inMap;
    const list = this.node(file, ['services', service, 'environment']);
    if (!isSeq(list)) return undefined;
    const index = list.items.findIndex((item) => {
      const text = String((item as { value?: unknown } | null)?.value ?? '');
      return text === key || text.startsWith(`${key}=`);
    });
    return index >= 0 ? this.at(file, ['services', service, 'environment', index]) : undefined;
  }

  /** The first of `files` (searched last to first: later files override) that has `path`. */
  inFiles(files: readonly string[], path: ReadonlyArray<string | number>): Location | undefined {
    for (const file of [...files].reverse()) {
      const found = this.at(file, path);
      if (found) return found;
    }
    return undefined;
  }

  /** A published port entry: the compose model's file and line, with the column of the entry. */
  port(port: PublishedPort): Location {
    const { file, line, service, index } = port.origin;
    const found = this.at(file, ['services', service, 'ports', index]);
    return found && found.line === line ? found : { file, line, col: found?.col ?? 1 };
  }

  private node(file: string, path: ReadonlyArray<string | number>): Node | null {
    let node: Node | null = this.parse(file)?.root ?? null;
    for (const step of path) {
      if (!isMap(node)) return null;
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value) === String(step),
      );
      node = (pair?.value as Node | null | undefined) ?? null;
    }
    return node;
  }

  private parse(file: string): { root: Node | null; counter: LineCounter } | null {
    if (!this.docs.has(file)) {
      try {
        const counter = new LineCounter();
        const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter, uniqueKeys: false });
        this.docs.set(file, { root: doc.contents as Node | null, counter });
      } catch {
        this.docs.set(file, null);
      }
    }
    return this.docs.get(file) ?? null;
  }
}
