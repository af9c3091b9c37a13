#!/usr/bin/env node
// Placeholder until the real demo exists: prints the package version.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
console.log(`${pkg.name} ${pkg.version}`);
