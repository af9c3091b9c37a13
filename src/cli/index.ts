/** The `ptyscan` command line: the runner, the command table, and the pieces to add commands. */
export { type CliEffects, type Command, parseCommandArgs, UsageError } from './command.js';
export { COMMANDS } from './commands/index.js';
export { paramsCommand } from './commands/params.js';
export { EXIT, runCli } from './run.js';
export { packageVersion } from './version.js';
