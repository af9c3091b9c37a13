/**
 * Two real processes racing for a lock left stale by a dead process: in every
 * round exactly one of them takes it over (the other gets a LockError), never
 * both. Before the takeover was made atomic, both could read the stale
 * holder, and the slower one removed the faster one's fresh lock.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/index.js';

const racer = fileURLToPath(new URL('./lock-racer.ts', import.meta.url));

function runRacer(args: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', racer, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`racer exited ${code}: ${err}`));
      else resolve((JSON.parse(out) as { won: number[] }).won);
    });
  });
}

describe('stale-lock takeover', () => {
  it('two processes racing for a stale lock: exactly one takes it in every round', async () => {
    const dir = tempDir('lock-race');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    const rounds = 200;
    for (let r = 0; r < rounds; r++) {
      writeFileSync(
        join(dir, `round-${r}.h5.lock`),
        JSON.stringify({ pid, host: hostname(), since: 'earlier' }),
      );
    }
    const t0 = Date.now() + 4000;
    const args = [dir, String(rounds), String(t0), '10'];
    const [a, b] = await Promise.all([runRacer(args), runRacer(args)]);
    const both = a.filter((r) => b.includes(r));
    const neither = [...Array(rounds).keys()].filter((r) => !a.includes(r) && !b.includes(r));
    assert.deepEqual(both, [], `rounds both processes took: ${both.join(', ')}`);
    assert.deepEqual(neither, [], `rounds neither process took: ${neither.join(', ')}`);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.takeover-')),
      [],
      'no takeover guard file is left behind',
    );
  });
});
