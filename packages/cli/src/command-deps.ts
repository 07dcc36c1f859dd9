import type { Output } from './output.js';

/** What every command factory receives. */
export interface CommandDeps {
  output: Output;
}
