import { parseDocument, Parser, Lexer, Composer, CST } from 'yaml';
function time(label, f) { const t = performance.now(); let r; try { r = f(); } catch (e) { r = e.constructor.name + ': ' + String(e.message).slice(0, 80); } console.log(label, (performance.now() - t).toFixed(0), 'ms', typeof r === 'string' ? r : ''); }
const keys = 'x:\n' + Array.from({ length: 40000 }, (_, i) => `  k${i}: 1`).join('\n') + '\n';
time('manyKeys noUnique', () => { const d = parseDocument(keys, { prettyErrors: false, uniqueKeys: false }); return 'errs ' + d.errors.length; });
const anchors = Array.from({ length: 20000 }, (_, i) => `a${i}: &a${i} x`).join('\n') + '\nz: [' + Array.from({ length: 20000 }, (_, i) => `*a${i}`).join(',') + ']\n';
time('anchors compose', () => { const d = parseDocument(anchors, { prettyErrors: false, uniqueKeys: false }); globalThis.d = d; return 'errs ' + d.errors.length; });
time('anchors toJS', () => { globalThis.d.toJS({ maxAliasCount: 100 }); return ''; });
console.log(JSON.stringify([...new Lexer().lex('a: &x [b, "c"] # hi\nrules:\n  - name: r\n    match: {t: [x]}\n  - - y\n  - *x\n? k\n: v\n')].map(t => [CST.tokenType(t), t])));
const rulesBlock = (n) => 'rules:\n' + Array.from({ length: n }, (_, i) => `  - name: rule-${i}\n    priority: ${i}\n    effect: allow\n    match:\n      tool_names: [tool.op${i}]\n      identities: [agent-${i}]\n    reason_codes: [r${i}]`).join('\n') + '\n';
for (const n of [500, 1000, 2000]) { const y = rulesBlock(n); time(`rules ${n} (${y.length} B)`, () => { const d = parseDocument(y, { prettyErrors: false, uniqueKeys: true }); d.toJS(); return ''; }); }
for (const n of [500, 1000, 2000]) { const y = rulesBlock(n); time(`rules ${n} (${y.length} B)`, () => { const d = parseDocument(y, { prettyErrors: false, uniqueKeys: false }); d.toJS(); return ''; }); }
