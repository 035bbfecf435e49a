import type { Algorithm } from '../model.js';
import { ConsistentHash } from './consistent-hash.js';
import { LeastConn } from './least-conn.js';
import { P2cEwma } from './p2c-ewma.js';
import type { Picker } from './picker.js';
import { RoundRobin } from './round-robin.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

export type { PickContext, Picker } from './picker.js';

/** Every picker, by algorithm name. Adding one: a file here, a line in this table, its name in `Algorithm`. */
export const pickers: Record<Algorithm, () => Picker> = {
  'round-robin': () => new RoundRobin(),
  'weighted-round-robin': () => new WeightedRoundRobin(),
  'least-conn': () => new LeastConn(),
  'p2c-ewma': () => new P2cEwma(),
  'consistent-hash': () => new ConsistentHash(),
};
