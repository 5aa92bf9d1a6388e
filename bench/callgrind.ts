// Reading callgrind's dumps (the format: valgrind's docs, "Callgrind Format Specification"): each
// function's own cost, and that cost sorted into V8's compiling, V8's garbage collection, the consumer's
// own JavaScript and the rest. Used by bench/instructions.ts.
import fs from 'node:fs';

/** The first event of each cost line: instructions executed (Ir). */
export type SelfCosts = Map<string, number>;

/**
 * Instructions executed in each function itself (not in what it called), by name. A cost line right
 * after `calls=` is the cost of that call, counted in the callee's own lines already, so it is skipped.
 * Names may be compressed (`fn=(12) name` once, then `fn=(12)`); callgrind marks recursion levels with
 * `'2`, `'3`, which are folded into the function.
 */
export function selfCosts(file: string): SelfCosts {
  const names = new Map<string, string>();
  const costs: SelfCosts = new Map();
  let current = '';
  let callCost = false;
  const named = (line: string, prefix: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(line.slice(prefix.length));
    if (!match) return line.slice(prefix.length);
    if (match[2] !== undefined) names.set(match[1], match[2]);
    return names.get(match[1]) ?? `(${match[1]})`;
  };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) {
      current = named(line, 'fn=').replace(/'\d+$/, '');
      callCost = false;
    } else if (line.startsWith('cfn=')) {
      named(line, 'cfn=');
    } else if (line.startsWith('calls=')) {
      callCost = true;
    } else if (/^[-+*\d]/.test(line)) {
      if (callCost) {
        callCost = false;
        continue;
      }
      const instructions = Number(line.split(' ')[1] ?? 0);
      costs.set(current, (costs.get(current) ?? 0) + instructions);
    }
  }
  return costs;
}

// V8's own C++ functions, by name (node's binary keeps their symbols). The JavaScript that V8 compiled
// has no symbol: callgrind names it by address, and it counts as the rest.
const COMPILING =
  /v8::internal::(compiler|maglev|baseline|interpreter)::|v8::internal::(Compiler|Parser|ParserBase|PreParser|Scanner|BytecodeGenerator|OptimizingCompileDispatcher|Deoptimizer|TranslatedState)\b|Builtins_CompileLazy/;
const COLLECTING =
  /v8::internal::(Heap|Scavenger|ScavengerCollector|ScavengeVisitor|Sweeper|MarkCompactCollector|MinorMarkSweepCollector|MainMarkingVisitor|MarkingBarrier|MarkingWorklists|IncrementalMarking|ConcurrentMarking|MemoryAllocator|PagedSpace|SemiSpaceNewSpace|PagedNewSpace|EvacuationAllocator|Evacuator|PretenuringHandler|GCTracer|RememberedSet|SlotSet|MutablePageMetadata|LargeObjectSpace|FreeList|GlobalHandles|IterateAndScavengePromotedObjectsVisitor)\b|v8::internal::BodyDescriptorBase::Iterate|v8::internal::HeapObject::SizeFromMap|heap::base::|cppgc::/;

/**
 * Where V8 put the JavaScript it compiled, from the file node's --perf-basic-prof writes
 * (`/tmp/perf-<pid>.map`: `<start> <size> <name>` in hex, the name with the script's path and line).
 * Callgrind names such code only by its address.
 */
export interface CodeMap {
  starts: number[];
  ends: number[];
  names: string[];
}

export function readCodeMap(file: string): CodeMap {
  const entries = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      start: parseInt(match[1], 16),
      size: parseInt(match[2], 16),
      name: match[3],
    }))
    .sort((a, b) => a.start - b.start);
  return {
    starts: entries.map((entry) => entry.start),
    ends: entries.map((entry) => entry.start + entry.size),
    names: entries.map((entry) => entry.name),
  };
}

/** The name of the compiled function that holds `address`, if the map has one. */
export function codeAt(map: CodeMap, address: number): string | undefined {
  let low = 0;
  let high = map.starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (map.starts[middle] <= address) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found >= 0 && address < map.ends[found] ? map.names[found] : undefined;
}

export interface CostShares {
  total: number;
  /** V8 compiling and deoptimising: tiering up, and again after a deoptimisation. */
  compiling: number;
  /** V8's garbage collection: scavenges, marking, sweeping, compaction. */
  collecting: number;
  /** The consumer's own JavaScript: compiled functions whose script `own` names. */
  own: number;
}

/**
 * A dump's instructions: in all, and those of V8 compiling and collecting garbage (by function name),
 * and of the compiled JavaScript of the scripts whose path `own` matches (found in `code`).
 */
export function costShares(costs: SelfCosts, code?: CodeMap, own?: RegExp): CostShares {
  const shares: CostShares = { total: 0, compiling: 0, collecting: 0, own: 0 };
  for (const [name, instructions] of costs) {
    shares.total += instructions;
    if (COMPILING.test(name)) shares.compiling += instructions;
    else if (COLLECTING.test(name)) shares.collecting += instructions;
    else if (code && own && /^0x[0-9a-f]+$/.test(name)) {
      const script = codeAt(code, parseInt(name, 16));
      if (script && own.test(script)) shares.own += instructions;
    }
  }
  return shares;
}
