import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ComposeProject } from '../../compose/model.js';
import { hostPortSpan } from './edit-compose.js';

/** One place a variable is used: `${NAME}` / `$NAME` in a file, or `environment: [NAME]`. */
export interface VariableUse {
  name: string;
  file: string;
  line: number;
  /** `services.app.environment.DATABASE_URL`, or `.env: DATABASE_URL`. */
  where: string;
  /** Set when this reference is exactly the host-port part of a `ports:` entry (its mappingKey). */
  hostPortOf?: string;
}

/** Identifies one `ports:` entry: file, service and index in that file's list. */
export function mappingKey(origin: { file: string; service: string; index: number }): string {
  return `${origin.file}|${origin.service}|${origin.index}`;
}

/** `${NAME…}` and `$NAME` references in a string, skipping `$$` (compose's literal dollar). */
export function referencesIn(text: string): Array<{ name: string; start: number }> {
  const out: Array<{ name: string; start: number }> = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    const braced = text[i + 1] === '{';
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + (braced ? 2 : 1)));
    // Nested references (${A:-${B}}) are found as the scan goes on inside the braces.
    if (m) out.push({ name: m[0], start: i });
  }
  return out;
}

/**
 * Every use of every variable in the project's compose files, the compose files next to them
 * (they share the `.env`), the files they `include` or `extends` from, the `.env` files and the
 * `env_file`s. `ports fix` rewrites a
 * variable only when its single use is the host port it is fixing, so this errs on the side of
 * finding too many uses: a file that does not parse as YAML is scanned as plain text.
 */
export function findVariableUses(project: ComposeProject): VariableUse[] {
  const queue = [...project.files];
  for (const svc of project.services) for (const p of svc.ports) queue.push(p.origin.file);
  queue.push(...siblingComposeFiles(project.workingDir));

  const uses: VariableUse[] = [];
  const envFiles = new Set<string>(project.envFile ? [project.envFile] : []);
  const scanned = new Set<string>();
  // Bounded: a project with more files than this is scanned as far as the bound goes.
  while (queue.length > 0 && scanned.size < 500) {
    const file = queue.shift()!;
    if (scanned.has(file)) continue;
    scanned.add(file);
    const text = readIfExists(file);
    if (text === undefined) continue;
    const linked = scanCompose(file, text, uses);
    const resolveFrom = (ref: string, bases: string[]): string[] =>
      bases.map((base) => (isAbsolute(ref) ? ref : resolve(base, ref))).filter((p) => existsSync(p));
    for (const envFile of linked.envFiles)
      for (const path of resolveFrom(envFile, [dirname(file), project.workingDir])) envFiles.add(path);
    for (const other of linked.composeFiles) {
      for (const path of resolveFrom(other, [dirname(file)])) {
        queue.push(path);
        // An included project reads the .env next to it.
        const env = join(dirname(path), '.env');
        if (existsSync(env)) envFiles.add(env);
      }
    }
  }
  for (const file of envFiles) {
    const text = readIfExists(file);
    if (text !== undefined) scanEnvFile(file, text, uses);
  }
  return uses;
}

function siblingComposeFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^(docker-)?compose([.-].*)?\.ya?ml$/.test(n))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Records the file's uses; returns the env files and compose files (include, extends) it names. */
function scanCompose(
  file: string,
  text: string,
  uses: VariableUse[],
): { envFiles: string[]; composeFiles: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    scanPlainText(file, text, uses);
    return { envFiles: [], composeFiles: [] };
  }
  const envFiles: string[] = [];
  const composeFiles: string[] = [];
  const lineOf = (node: Node): number => (node.range ? lineCounter.linePos(node.range[0]).line : 1);

  const walk = (node: unknown, path: Array<string | number>, at: Node | undefined, depth: number): void => {
    if (depth > 64 || node === null || node === undefined) return;
    if (isAlias(node)) {
      // An alias uses the anchored node again here: count its references once per use.
      walk(node.resolve(doc), path, at ?? node, depth + 1);
      return;
    }
    if (isScalar(node)) {
      if (typeof node.value !== 'string') return;
      const value = node.value;
      const line = lineOf(at ?? node);
      const where = path.join('.');
      const key = portEntryKey(file, path);
      const span = key?.syntax === 'short' ? hostPortSpan(value) : undefined;
      for (const ref of referencesIn(value)) {
        const inHostPort =
          key?.syntax === 'long' || (span !== undefined && ref.start >= span[0] && ref.start < span[1]);
        uses.push({
          name: ref.name,
          file,
          line,
          where,
          ...(key && inHostPort ? { hostPortOf: key.key } : {}),
        });
      }
      // `environment: [NAME]` passes NAME through from the environment compose sees.
      if (path.length === 4 && path[0] === 'services' && path[2] === 'environment') {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) uses.push({ name: value, file, line, where });
      }
      collectLinkedFile(path, value, envFiles, composeFiles);
      return;
    }
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...path, i], undefined, depth + 1);
      });
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.key, [...path, `<key ${k}>`], undefined, depth + 1);
        const childPath = [...path, k];
        if (pair.value === null && path.length === 3 && path[0] === 'services' && path[2] === 'environment') {
          uses.push({ name: k, file, line: lineOf(pair.key as Node), where: childPath.join('.') });
        }
        walk(pair.value, childPath, undefined, depth + 1);
      }
    }
  };
  walk(doc.contents, [], undefined, 0);
  return { envFiles, composeFiles };
}

/**
 * Files a compose file points to: `env_file` (short, list, or `{path}`) of services and of
 * `include` entries; `include` (short form, or `path:` as a string or list) and `extends.file`.
 */
function collectLinkedFile(
  path: Array<string | number>,
  value: string,
  envFiles: string[],
  composeFiles: string[],
): void {
  const [top, , key] = path;
  if (top === 'services' && key === 'env_file') {
    if (path.length === 3 || (path.length === 4 && typeof path[3] === 'number')) envFiles.push(value);
    else if (path.length === 5 && path[4] === 'path') envFiles.push(value);
  } else if (top === 'services' && key === 'extends' && path.length === 4 && path[3] === 'file') {
    composeFiles.push(value);
  } else if (top === 'include' && typeof path[1] === 'number') {
    if (path.length === 2) composeFiles.push(value);
    else if (path[2] === 'path' && (path.length === 3 || path.length === 4)) composeFiles.push(value);
    else if (path[2] === 'env_file' && (path.length === 3 || path.length === 4)) envFiles.push(value);
  }
}

/** services.<svc>.ports.<i> (short syntax) or services.<svc>.ports.<i>.published (long syntax). */
function portEntryKey(
  file: string,
  path: Array<string | number>,
): { key: string; syntax: 'short' | 'long' } | undefined {
  if (path[0] !== 'services' || path[2] !== 'ports' || typeof path[3] !== 'number') return undefined;
  const key = mappingKey({ file, service: String(path[1]), index: path[3] });
  if (path.length === 4) return { key, syntax: 'short' };
  if (path.length === 5 && path[4] === 'published') return { key, syntax: 'long' };
  return undefined;
}

function scanEnvFile(file: string, text: string, uses: VariableUse[]): void {
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/.exec(line);
    if (!m || line.trim().startsWith('#')) return;
    for (const ref of referencesIn(m[2]!)) uses.push({ name: ref.name, file, line: i + 1, where: `${m[1]}` });
  });
}

function scanPlainText(file: string, text: string, uses: VariableUse[]): void {
  text.split('\n').forEach((line, i) => {
    for (const ref of referencesIn(line)) uses.push({ name: ref.name, file, line: i + 1, where: '(text)' });
  });
}
