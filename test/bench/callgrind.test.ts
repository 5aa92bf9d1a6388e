// The bench's reading of callgrind dumps (bench/callgrind.ts): each function's own instructions, call costs
// left to the callee, and the sorting into V8's compiling, its garbage collection and the consumer's own
// compiled JavaScript, found by address in node's --perf-basic-prof map.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeAt, costShares, readCodeMap, selfCosts } from '../../bench/callgrind';

// A dump in callgrind's format, as valgrind 3.19 writes it with --separate-threads=yes: names given once
// with their number, then by number alone; a call's cost on the line after `calls=`; a recursion level
// marked `'2`.
const DUMP = `# callgrind format
version: 1
creator: callgrind-3.19.0
positions: line
events: Ir
summary: 1000

ob=(1) ???
fl=(1) ???
fn=(1) 0x0000000000001010
0 100
cob=(2) /usr/bin/node
cfi=(1)
cfn=(2) v8::internal::Scavenger::ScavengeObject(v8::internal::FullHeapObjectSlot)
calls=1 0
0 300
0 20

fn=(2)
0 300

fn=(3) v8::internal::compiler::GraphReducer::ReduceTop()
0 250
fn=(4) v8::internal::compiler::GraphReducer::ReduceTop()'2
0 50

fn=(5) 0x0000000000002004
+2 200
cfn=(3)
calls=2 0
* 250
fn=(6) Builtins_KeyedLoadIC_Megamorphic
0 80
`;

// node's perf map: start and size in hex, then the function and its script.
const CODE_MAP = [
  '2000 40 JS:*onFrame /work/main/dist/client/socket-link.js:32:22',
  '1000 20 JS:*send /work/main/node_modules/@node-red/runtime/lib/nodes/Node.js:381:31',
  '3000 10 JS:*later /work/main/dist/client/other.js:1:1',
  '',
].join('\n');

describe('bench: callgrind dumps', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callgrind-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts each function's own instructions, leaving a call's cost to the callee", () => {
    const costs = selfCosts(write('dump', DUMP));
    assert.deepEqual(Object.fromEntries(costs), {
      '0x0000000000001010': 120,
      'v8::internal::Scavenger::ScavengeObject(v8::internal::FullHeapObjectSlot)': 300,
      // Both recursion levels, under one name.
      'v8::internal::compiler::GraphReducer::ReduceTop()': 300,
      '0x0000000000002004': 200,
      Builtins_KeyedLoadIC_Megamorphic: 80,
    });
    // Every instruction once: the summary line's total.
    assert.equal(
      [...costs.values()].reduce((sum, value) => sum + value, 0),
      1000,
    );
  });

  it('finds the compiled function that holds an address, and none past its end', () => {
    const map = readCodeMap(write('perf.map', CODE_MAP));
    assert.equal(codeAt(map, 0x2004), 'JS:*onFrame /work/main/dist/client/socket-link.js:32:22');
    assert.equal(
      codeAt(map, 0x1000),
      'JS:*send /work/main/node_modules/@node-red/runtime/lib/nodes/Node.js:381:31',
    );
    assert.equal(codeAt(map, 0x2040), undefined); // the first byte after onFrame
    assert.equal(codeAt(map, 0x0fff), undefined);
  });

  it("sorts the instructions into compiling, collecting and the consumer's own code", () => {
    const costs = selfCosts(write('dump', DUMP));
    const map = readCodeMap(write('perf.map', CODE_MAP));
    assert.deepEqual(costShares(costs, map, /\/dist\//), {
      total: 1000,
      compiling: 300,
      collecting: 300,
      own: 200,
    });
    // Node-RED's code is not the package's; without a map, nothing is.
    assert.equal(costShares(costs, map, /@node-red\//).own, 120);
    assert.equal(costShares(costs).own, 0);
  });
});
