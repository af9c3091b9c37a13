import type { Command } from '../command.js';
import { convertCommand } from './convert.js';
import { doctorCommand } from './doctor.js';
import { followCommand } from './follow.js';
import { infoCommand } from './info.js';
import { paramsCommand } from './params.js';
import { prepareCommand } from './prepare.js';
import { previewCommand } from './preview.js';
import { simulateCommand } from './simulate.js';
import { validateCommand } from './validate.js';
import { viewCommand } from './view.js';

/** Every `ptyscan` subcommand, in the order `ptyscan --help` lists them. Add new commands here. */
export const COMMANDS: readonly Command[] = [
  prepareCommand,
  convertCommand,
  simulateCommand,
  validateCommand,
  infoCommand,
  previewCommand,
  paramsCommand,
  followCommand,
  doctorCommand,
  viewCommand,
];
