import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One runnable example of docs/LIBRARY.md: a ```js block and the ```text block after it. */
export interface DocExample {
  /** The section heading it sits under. */
  section: string;
  code: string;
  expected: string;
}

/**
 * Every ```js block with the ```text block that follows it (its printed output). A js block
 * without an output block is an error: the doc promises what each example prints.
 */
export function docExamples(path: string): DocExample[] {
  const text = readFileSync(path, 'utf8');
  const fence = /^## (.+)$|^```(\w+)\n([\s\S]*?)^```$/gm;
  const examples: DocExample[] = [];
  let section = '';
  let pending: { code: string; section: string } | undefined;
  for (const m of text.matchAll(fence)) {
    if (m[1] !== undefined) {
      section = m[1];
      continue;
    }
    const [lang, body] = [m[2], m[3] ?? ''];
    if (lang === 'js') {
      if (pending) throw new Error(`example in "${pending.section}" has no \`\`\`text output block`);
      pending = { code: body, section };
    } else if (lang === 'text' && pending) {
      examples.push({ ...pending, expected: body.trimEnd() });
      pending = undefined;
    }
  }
  if (pending) throw new Error(`example in "${pending.section}" has no \`\`\`text output block`);
  return examples;
}

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node file [args]` with a hard time limit (SIGKILL), output kept. */
export async function runNode(
  file: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; args?: string[] },
): Promise<NodeRun> {
  const child = spawn(process.execPath, [file, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
