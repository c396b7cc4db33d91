import 'reflect-metadata';
import fc from 'fast-check';
import { createValidationPipe } from '#platform';
import { EvaluateRequestDto } from '../dto/evaluate.dto.js';
import { plainEvaluateBody } from './fast-body.js';

const pipe = createValidationPipe();
const viaPipe = (body: unknown) => pipe.transform(structuredClone(body), { type: 'body', metatype: EvaluateRequestDto, data: undefined }) as Promise<EvaluateRequestDto>;

const INTENT = {
  tool_name: 'tool.read',
  args: { path: '/srv/app/README.md', n: 3, deep: { list: [1, 'two', null, true, { k: 'v' }] } },
  targets: [{ kind: 'path', value: '/srv/app/README.md', operation: 'read' }],
  arg_provenance: [{ arg_path: '$.path', source: 'user' }],
  context: { identity: 'agent-alice', workspace: '/srv/app', risk_class: 'low' },
};

/** The hot route's body shortcut must give exactly what the ValidationPipe gives, or step aside. */
describe('plainEvaluateBody', () => {
  it.each([
    [{ intent: INTENT }],
    [{ intent: INTENT, policy: 'default' }],
    [{ intent: INTENT, policy: 'ops.v2-x', simulate: true }],
    [{ intent: INTENT, simulate: false }],
    [{ intent: {} }],
  ])('a plain body %#: the same DTO as the pipe, of the same class', async (body) => {
    const fast = plainEvaluateBody(structuredClone(body));
    const slow = await viaPipe(body);
    expect(fast).toBeInstanceOf(EvaluateRequestDto);
    expect(fast).toEqual(slow);
    expect(Object.keys(fast!).sort()).toEqual(Object.keys(slow).sort());
  });

  it.each([
    ['an unknown field', { intent: INTENT, extra: 1 }],
    ['engine and amount (transformed by the pipe)', { intent: INTENT, engine: 'wholesale', amount: '10' }],
    ['simulate as a string (the pipe converts it)', { intent: INTENT, simulate: 'true' }],
    ['a bad policy name', { intent: INTENT, policy: 'Not Valid' }],
    ['a policy that is no string', { intent: INTENT, policy: 7 }],
    ['an intent that is an array', { intent: [INTENT] }],
    ['an intent that is null', { intent: null }],
    ['no intent', {}],
    ['a constructor key the pipe strips', { intent: { ...INTENT, args: { constructor: 'x' } } }],
    ['a prototype key the pipe strips', { intent: { ...INTENT, targets: [{ kind: 'path', value: 'v', prototype: 1 }] } }],
    ['a body that is an array', [{ intent: INTENT }]],
    ['a body that is a string', 'intent'],
  ])('%s: left to the pipe', (_what, body) => {
    expect(plainEvaluateBody(body)).toBeNull();
  });

  it('for any JSON intent, it is either null or exactly what the pipe gives', async () => {
    const key = fc.oneof(fc.constantFrom('tool_name', 'args', 'constructor', 'prototype', 'x'), fc.string({ maxLength: 6 }));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
    })).value;
    const body = fc.record({ intent: fc.oneof(fc.dictionary(key, json, { maxKeys: 4 }), json), policy: fc.option(fc.constantFrom('default', 'bad name', 'a.b'), { nil: undefined }), simulate: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['intent'] });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const parsed = JSON.parse(JSON.stringify(b)) as unknown;
        const fast = plainEvaluateBody(structuredClone(parsed));
        if (fast === null) return;
        expect(fast).toEqual(await viaPipe(parsed));
      }),
      { numRuns: 300 },
    );
  });
});
