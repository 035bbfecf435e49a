import type { ComposeService } from '../../compose/model.js';
import type { Location, RuleContext } from '../model.js';

/**
 * Where a service's `key` is written, else the service itself: searched in the compose files
 * (later files override earlier ones), then in the files its ports came from (a service brought
 * in by `include:` lives in a file that is not one of the project's compose files).
 */
export function serviceLocation(
  ctx: RuleContext,
  service: ComposeService,
  key?: string,
): Location | undefined {
  const composeFiles = [...(ctx.project.compose?.files ?? [])].reverse();
  const searchOrder = [...new Set([...composeFiles, ...service.ports.map((p) => p.origin.file)])];
  const find = (path: string[]) => {
    for (const file of searchOrder) {
      const found = ctx.locate.at(file, path);
      if (found) return found;
    }
    return undefined;
  };
  return (key ? find(['services', service.name, key]) : undefined) ?? find(['services', service.name]);
}
