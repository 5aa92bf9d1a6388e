#!/usr/bin/env node
// Compiles src/ to dist/ and copies each node's editor assets (.html, locales, icons) beside its .js,
// where Node-RED looks for them, and the client's message catalogues (src/client/messages/*.json). Tests are type-checked here too, so a type error anywhere stops the run.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');

function run(args) {
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
}

function copyAssets(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyAssets(src, dest);
    else if (!entry.name.endsWith('.ts')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dest);
    }
  }
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run(['-p', 'tsconfig.json']);
if (!process.argv.includes('--no-check')) run(['-p', 'tsconfig.test.json']);
copyAssets(path.join(root, 'src', 'nodes'), path.join(root, 'dist', 'nodes'));
copyAssets(path.join(root, 'src', 'client', 'messages'), path.join(root, 'dist', 'client', 'messages'));
