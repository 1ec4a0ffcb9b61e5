// The built CLI's entry (dist/cli/main.mjs, made by scripts/build.mjs): runs the command line.
import { runCli } from './main';

runCli();
