// One command for a new user: install if needed, build, serve on 127.0.0.1 and print the address.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
if (!fs.existsSync('node_modules/.package-lock.json')) run('npm ci');
run('npx vite build --logLevel warn');
await import('./serve.mjs');
