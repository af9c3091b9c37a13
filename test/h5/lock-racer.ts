/**
 * A child process for the stale-lock race test (test/h5/lock-race.test.ts):
 * for each round it spins until that round's start time, then tries to take
 * the lock of `<dir>/round-<r>.h5` (each left stale by a dead process) and
 * keeps what it took until it exits. Prints the rounds it won as JSON.
 *
 * Usage: node --import tsx lock-racer.ts <dir> <rounds> <t0 ms> <step ms>
 */
import { join } from 'node:path';
import { LockError } from '../../src/errors.js';
import { acquireLock } from '../../src/h5/lock.js';

const [dir, roundsText, t0Text, stepText] = process.argv.slice(2);
const rounds = Number(roundsText);
const t0 = Number(t0Text);
const step = Number(stepText);
const won: number[] = [];
const held: unknown[] = [];
for (let r = 0; r < rounds; r++) {
  const start = t0 + r * step;
  while (Date.now() < start) {
    // Spin: both racers leave the line within the same millisecond.
  }
  try {
    held.push(acquireLock(join(dir as string, `round-${r}.h5`)));
    won.push(r);
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
  }
}
process.stdout.write(JSON.stringify({ won, held: held.length }));
