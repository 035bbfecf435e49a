import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';

/**
 * Commander is CommonJS. Importing it through ESM runs the CJS export lexer over its source on
 * every start (~5 ms of a ~50 ms `portico ports`); `require` skips that. Types come from the
 * package as usual.
 */
const commander = createRequire(import.meta.url)('commander') as typeof CommanderModule;

export const { Command, CommanderError, Option } = commander;
export type Command = CommanderModule.Command;
export type Option = CommanderModule.Option;
export type CommanderError = CommanderModule.CommanderError;
