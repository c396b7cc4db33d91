/**
 * `warden promotion evaluate`: the promotion review offline, from files. No Nest, no database:
 * an override is checked against its signature but its single use is not recorded (the server
 * records it); a file marked `"used": true` is still refused, as menace does.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileRuleFile, evaluatePromotion, PromotionInputError, verifyOverride, type PromotionResult, type Verdict } from '#promotion';

export const PROMOTION_EXIT: Readonly<Record<Verdict | 'invalid', number>> = { promote: 0, demote: 3, no_go: 3, pilot: 4, invalid: 6 };

export interface PromotionEvaluateOptions {
  /** path of the scorecard (JSON, or YAML by extension) */
  scorecard: string;
  /** path of the policy: thresholds as menace's `policy` mapping (YAML or JSON) */
  policy?: string;
  /** path of a rule file (menace's list of {decision, condition, reason_code}) */
  rules?: string;
  /** path of a signed override file {data, signature}; needs keyFile */
  override?: string;
  /** path of the file holding the override key (WARDEN_OVERRIDE_KEY's value) */
  keyFile?: string;
  /** where WARDEN_OVERRIDE_KEY is read when keyFile is absent (default process.env) */
  env?: Record<string, string | undefined>;
  json?: boolean;
}

export interface CommandOutput {
  exitCode: number;
  stdout: string;
}

class CliInputError extends Error {
  readonly code = 'invalid_input';
}

/** JSON with keys sorted at every level: the same input always prints the same bytes. */
export function stableJson(value: unknown, indent?: number): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value), null, indent);
}

async function read(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliInputError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

async function readData(path: string, what: string): Promise<unknown> {
  const text = await read(path, what);
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new CliInputError(`${what} ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function human(r: PromotionResult): string {
  const lines = [`verdict: ${r.verdict}`, `reason_codes: ${r.reason_codes.join(', ') || '(none)'}`];
  if (Object.keys(r.overrides).length) lines.push(`overrides: ${JSON.stringify(JSON.parse(stableJson(r.overrides)))}`);
  lines.push('trace:');
  for (const t of r.trace) {
    if (t.step === 'rule') {
      const why = t.missing ? ` (${t.missing.join(', ')})` : t.error ? ` — ${t.error}` : '';
      lines.push(`  rule ${t.index} [${t.source}] ${t.decision}${t.reason_code ? ` (${t.reason_code})` : ''}: ${t.result}${why}  ${t.condition}`);
    } else {
      const { step, result, ...rest } = t;
      lines.push(`  ${step}: ${result}  ${JSON.stringify(rest)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function promotionEvaluate(opts: PromotionEvaluateOptions): Promise<CommandOutput> {
  try {
    if (!opts.scorecard) throw new CliInputError('--scorecard is required');
    // Without --key, the key is WARDEN_OVERRIDE_KEY's value (the server's variable), when set.
    const envKey = opts.keyFile ? undefined : (opts.env ?? process.env).WARDEN_OVERRIDE_KEY || undefined;
    if (opts.keyFile && !opts.override) throw new CliInputError('--key needs --override');
    if (opts.override && !opts.keyFile && !envKey) throw new CliInputError('--override needs --key KEYFILE (or WARDEN_OVERRIDE_KEY in the environment)');
    const scorecard = await readData(opts.scorecard, 'scorecard');
    const policy = opts.policy ? await readData(opts.policy, 'policy') : undefined;
    const rules = opts.rules ? compileRuleFile(await read(opts.rules, 'rule file')) : undefined;
    let override;
    if (opts.override) {
      const key = opts.keyFile
        ? await readFile(opts.keyFile).catch((err: Error) => {
            throw new CliInputError(`cannot read key ${opts.keyFile}: ${err.message}`);
          })
        : envKey!;
      override = verifyOverride(await read(opts.override, 'override'), key, { source: opts.override });
    }
    const result = evaluatePromotion({ scorecard, policy, rules, override });
    // One line, as `gate eval --json` prints: a script reads it with one JSON.parse per line.
    return { exitCode: PROMOTION_EXIT[result.verdict], stdout: opts.json ? `${stableJson({ ok: true, ...result })}\n` : human(result) };
  } catch (err) {
    if (!(err instanceof PromotionInputError) && !(err instanceof CliInputError)) throw err;
    const { code } = err;
    const details = err instanceof PromotionInputError ? err.details : {};
    return {
      exitCode: PROMOTION_EXIT.invalid,
      // gate eval's error shape ({ok:false, error}), with the stable code and its details beside it.
      stdout: opts.json ? `${JSON.stringify({ ok: false, error: err.message, code, ...details })}\n` : `invalid input (${code}): ${err.message}\n`,
    };
  }
}
