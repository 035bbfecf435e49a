import { critical, type ProbeOutcome } from '../probe.js';

/** Credentials are referenced by environment variable name, never stored in the catalog. */
export function secretFrom(name: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return name ? env[name] : undefined;
}

export function missingSecret(name: string): ProbeOutcome {
  return critical(`the password variable ${name} is not set in Portico's environment`, 'config');
}
