import type { Command } from '../command.js';
import { paramsCommand } from './params.js';

/** Every `ptyscan` subcommand, in the order `ptyscan --help` lists them. Add new commands here. */
export const COMMANDS: readonly Command[] = [paramsCommand];
