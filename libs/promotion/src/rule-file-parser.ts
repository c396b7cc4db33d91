import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RULE_FILE_LIMITS, textLimitExceeded } from './decide/rule-limits.js';
import { PromotionInputError } from './decide/types.js';

const YAML_MODULE = createRequire(import.meta.url).resolve('yaml');
/** CommonJS source of the worker: `eval: true` needs no file beside the build. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { parse } = require(workerData.yaml);
try {
  parentPort.postMessage({ ok: true, value: parse(workerData.text, { maxAliasCount: workerData.maxAliases }) });
} catch (err) {
  parentPort.postMessage({ ok: false, message: String((err && err.message) || err).split('\\n')[0] });
}`;
/** Parses at a time; a further upload waits for a slot (each worker may hold up to its heap limit). */
const MAX_PARSES = 2;

let running = 0;
const queue: Array<() => void> = [];

const invalid = (why: string) => new PromotionInputError('invalid_rule_file', `rule file ${why}`);

/**
 * Parses a rule file's YAML off the event loop: in a worker with a small heap, terminated after
 * RULE_FILE_LIMITS.parseTimeoutMs. The text limits are checked first, but YAML has inputs they do
 * not catch (measured: 60 KB of compact nesting on one line kept the parser busy for minutes, and a
 * 40 KB `[[[[` ran the process out of memory); those now cost a worker, not Warden.
 */
export async function parseRuleFileText(text: string): Promise<unknown> {
  const tooBig = textLimitExceeded(text);
  if (tooBig) throw invalid(`refused: it ${tooBig} (docs/promotion-review.md, limits)`);
  if (running >= MAX_PARSES) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  try {
    return await parseInWorker(text);
  } finally {
    running -= 1;
    queue.shift()?.();
  }
}

function parseInWorker(text: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { text, yaml: YAML_MODULE, maxAliases: RULE_FILE_LIMITS.maxAliases },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    const done = (fn: () => void) => {
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(() => done(() => reject(invalid(`took longer than ${RULE_FILE_LIMITS.parseTimeoutMs} ms to parse`))), RULE_FILE_LIMITS.parseTimeoutMs);
    worker.once('message', (m: { ok: boolean; value?: unknown; message?: string }) =>
      done(() => (m.ok ? resolve(m.value) : reject(invalid(`is not valid YAML/JSON: ${m.message}`)))),
    );
    worker.once('error', (err) => done(() => reject(invalid(`could not be parsed: ${err.message.split('\n')[0]}`))));
    worker.once('exit', () => done(() => reject(invalid('could not be parsed'))));
  });
}
