import { parseDocument, Parser, Lexer, Composer } from 'yaml';
function time(label, f) { const t = performance.now(); let r; try { r = f(); } catch (e) { r = e.constructor.name + ': ' + String(e.message).slice(0, 80); } console.log(label, (performance.now() - t).toFixed(0), 'ms', typeof r === 'string' ? r : ''); }
const N = 512 * 1024;
const deepFlow = 'rules: ' + '['.repeat(N / 2 - 10) + ']'.repeat(N / 2 - 10);
//, () => { let n = 0; for (const t of new Parser().parse(deepFlow)) n++; return 'tokens ' + n; });
time('lexer deepFlow', () => { let n = 0; for (const t of new Lexer().lex(deepFlow)) n++; return 'lex ' + n; });
//time('x noPretty', () => { const d = parseDocument(deepFlow, { prettyErrors: false, uniqueKeys: true }); return 'errs ' + d.errors.length + ' ' + d.errors[0]?.message.slice(0, 50); });
const deepBlock = 'rules:\n' + Array.from({ length: 700 }, (_, i) => ' '.repeat(i) + '- ').join('\n') + 'x\n';
console.log('deepBlock len', deepBlock.length);
time('parseDocument deepBlock', () => { const d = parseDocument(deepBlock, { prettyErrors: false, uniqueKeys: true }); return 'errs ' + d.errors.length; });
const dashes = 'rules: \n' + '- '.repeat(N / 2 - 10) + 'x\n';
//time('parser dashes', () => { let n = 0; for (const t of new Parser().parse(dashes)) n++; return 'tokens ' + n; });
//time('parseDocument dashes', () => { const d = parseDocument(dashes, { prettyErrors: false, uniqueKeys: true }); return 'errs ' + d.errors.length + ' ' + d.errors[0]?.message.slice(0, 50); });
// many keys (uniqueKeys O(n^2)?)
const keys = 'x:\n' + Array.from({ length: 40000 }, (_, i) => `  k${i}: 1`).join('\n') + '\n';
console.log('keys len', keys.length);
time('parseDocument manyKeys', () => { const d = parseDocument(keys, { prettyErrors: false, uniqueKeys: true }); return 'errs ' + d.errors.length; });
const flowKeys = 'x: {' + Array.from({ length: 50000 }, (_, i) => `k${i}: 1`).join(', ') + '}\n';
console.log('flowkeys len', flowKeys.length);
time('parseDocument flowKeys', () => { const d = parseDocument(flowKeys, { prettyErrors: false, uniqueKeys: true }); return 'errs ' + d.errors.length; });
// list of scalars
const list = 'x: [' + Array.from({ length: 80000 }, (_, i) => `a${i}`).join(',') + ']\n';
time('parseDocument list', () => { const d = parseDocument(list, { prettyErrors: false, uniqueKeys: true }); d.toJS({maxAliasCount:100}); return 'errs ' + d.errors.length; });
// many rules
const rules = 'rules:\n' + Array.from({ length: 5000 }, (_, i) => `  - {name: r${i}, effect: allow, match: {tool_names: [t${i}]}}`).join('\n') + '\n';
console.log('rules len', rules.length);
time('parseDocument rules', () => { const d = parseDocument(rules, { prettyErrors: false, uniqueKeys: true }); d.toJS({maxAliasCount:100}); return 'errs ' + d.errors.length; });
const rulesBlock = 'rules:\n' + Array.from({ length: 5000 }, (_, i) => `  - name: r${i}\n    effect: allow\n    match:\n      tool_names: [t${i}]`).join('\n') + '\n';
console.log('rulesBlock len', rulesBlock.length);
time('parseDocument rulesBlock', () => { const d = parseDocument(rulesBlock, { prettyErrors: false, uniqueKeys: true }); d.toJS({maxAliasCount:100}); return 'errs ' + d.errors.length; });
// long plain scalar with many spaces / comment
const longStr = 'x: "' + 'a\\n '.repeat(N/4 - 10) + '"\n';
time('parseDocument longStr', () => { const d = parseDocument(longStr, { prettyErrors: false, uniqueKeys: true }); d.toJS(); return 'errs ' + d.errors.length; });
const folded = 'x: >\n' + '  a\n\n'.repeat(N/5) ;
time('parseDocument folded', () => { const d = parseDocument(folded, { prettyErrors: false, uniqueKeys: true }); d.toJS(); return 'errs ' + d.errors.length; });
const anchors = Array.from({ length: 20000 }, (_, i) => `a${i}: &a${i} x`).join('\n') + '\nz: [' + Array.from({ length: 20000 }, (_, i) => `*a${i}`).join(',') + ']\n';
console.log('anchors len', anchors.length);
time('parseDocument anchors', () => { const d = parseDocument(anchors, { prettyErrors: false, uniqueKeys: true }); d.toJS({maxAliasCount: 100}); return 'errs ' + d.errors.length; });
for (const n of [16384, 65536, 262144]) {
  const df = 'rules: ' + '['.repeat(n) + ']'.repeat(n);
  time('lexer deepFlow ' + n, () => { let k = 0; for (const t of new Lexer().lex(df)) k++; return ''; });
  const ds = 'rules: \n' + '- '.repeat(n/2) + 'x\n';
  time('lexer dashes ' + n, () => { let k = 0; for (const t of new Lexer().lex(ds)) k++; return ''; });
  time('lex rulesBlock', () => { let k = 0; for (const t of new Lexer().lex(rulesBlock)) k++; return '' + k; });
}
for (const n of [1000, 4000, 16000]) {
  const df = 'rules: ' + '['.repeat(n) + ']'.repeat(n);
  time('parser deepFlow ' + n, () => { let k = 0; for (const t of new Parser().parse(df)) k++; return ''; });
  const ds = 'rules: \n' + '- '.repeat(n) + 'x\n';
  time('parser dashes ' + n, () => { let k = 0; for (const t of new Parser().parse(ds)) k++; return ''; });
}
