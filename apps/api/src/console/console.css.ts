/** The console's stylesheet (served from /console/assets/console.css; system fonts only, nothing fetched). */
export const CONSOLE_CSS = String.raw`
:root {
  --fg: #111827; --muted: #4b5563; --bg: #f3f4f6; --card: #ffffff; --line: #d1d5db;
  --primary: #1d4ed8; --primary-dark: #1e3a8a; --danger: #b91c1c; --danger-dark: #7f1d1d;
  --ok-bg: #dcfce7; --ok-fg: #14532d; --bad-bg: #fee2e2; --bad-fg: #7f1d1d; --warn-bg: #fef3c7; --warn-fg: #78350f;
  --info-bg: #dbeafe; --info-fg: #1e3a8a; --focus: #1d4ed8;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); line-height: 1.45; }
a { color: var(--primary); }
a:hover { color: var(--primary-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; top: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; align-items: center; gap: 1.5rem; padding: 0 1.5rem; background: #0f172a; color: #f8fafc; min-height: 3.25rem; flex-wrap: wrap; }
.brand { color: #f8fafc; font-weight: 700; text-decoration: none; font-size: 1.1rem; }
.brand span { font-weight: 400; color: #cbd5e1; }
.brand:hover { color: #ffffff; }
.top nav ul { list-style: none; display: flex; gap: .25rem; margin: 0; padding: 0; flex-wrap: wrap; }
.top nav a { display: block; color: #e2e8f0; text-decoration: none; padding: .9rem .75rem; border-bottom: 3px solid transparent; }
.top nav a:hover { color: #ffffff; background: #1e293b; }
.top nav a[aria-current="page"] { color: #ffffff; border-bottom-color: #93c5fd; font-weight: 600; }
.top :focus-visible { outline-color: #93c5fd; }
.who { margin-left: auto; display: flex; align-items: center; gap: .75rem; }
.who form { margin: 0; }
.badge { display: inline-block; font-size: .8rem; padding: .05rem .5rem; border-radius: 999px; background: #334155; color: #f1f5f9; }
button.link { background: none; border: 1px solid #64748b; color: #f1f5f9; padding: .3rem .7rem; border-radius: .35rem; cursor: pointer; font: inherit; }
button.link:hover { background: #1e293b; }
main { max-width: 1280px; margin: 0 auto; padding: 1.25rem 1.5rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
.muted { color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 1rem; margin-bottom: 1.25rem; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); }
.grid.two { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
.grid > section.card { margin-bottom: 0; }
.summary { font-size: .9rem; margin: .25rem 0 .5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem 1.1rem; min-width: 0; overflow-x: auto; }
/* Long values (digests, JSON, URLs) wrap rather than widen the page past the window. */
td, th, pre, code { overflow-wrap: anywhere; }
pre { white-space: pre-wrap; }
section.card { margin-bottom: 1.25rem; }
.card .big { font-size: 1.35rem; font-weight: 700; margin: .1rem 0 .35rem; }
.pill { white-space: nowrap; display: inline-block; padding: .1rem .6rem; border-radius: 999px; font-size: .85rem; font-weight: 600; }
.pill.ok { background: var(--ok-bg); color: var(--ok-fg); }
.pill.bad { background: var(--bad-bg); color: var(--bad-fg); }
.pill.warn { background: var(--warn-bg); color: var(--warn-fg); }
.pill.info { background: var(--info-bg); color: var(--info-fg); }
table { width: 100%; border-collapse: collapse; font-size: .92rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #374151; background: #f9fafb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.empty { color: var(--muted); font-style: italic; margin: .25rem 0; }
.notice { padding: .6rem .9rem; border-radius: .4rem; margin: 0 0 1rem; }
.notice:empty { display: none; }
.notice.ok { background: var(--ok-bg); color: var(--ok-fg); }
.notice.error { background: var(--bad-bg); color: var(--bad-fg); }
.notice.info { background: var(--info-bg); color: var(--info-fg); }
.sign-in-card .notice { margin: 0; }
form.act { display: flex; gap: .5rem; align-items: flex-end; flex-wrap: wrap; margin-top: .6rem; }
form.act label { display: flex; flex-direction: column; font-size: .85rem; color: #374151; gap: .2rem; flex: 1 1 10rem; }
input[type="text"], input[type="password"] { font: inherit; padding: .45rem .55rem; border: 1px solid #6b7280; border-radius: .35rem; background: #fff; color: var(--fg); min-width: 0; }
button.primary, button.danger, button.secondary { font: inherit; font-weight: 600; border-radius: .35rem; padding: .45rem .9rem; cursor: pointer; border: 1px solid transparent; }
button.primary { background: var(--primary); color: #fff; }
button.primary:hover { background: var(--primary-dark); }
button.danger { background: var(--danger); color: #fff; }
button.danger:hover { background: var(--danger-dark); }
button.secondary { background: #fff; color: var(--fg); border-color: #6b7280; }
button.secondary:hover { background: #f3f4f6; }
button:disabled, button[aria-disabled="true"] { opacity: .6; cursor: progress; }
.gauge { margin: .55rem 0; font-size: .9rem; }
.gauge .line { display: flex; justify-content: space-between; gap: .5rem; }
.gauge .val { font-variant-numeric: tabular-nums; color: #374151; }
.gauge meter { display: block; width: 100%; height: .9rem; margin-top: .15rem; }
meter::-webkit-meter-bar { background: #e5e7eb; border: 1px solid #9ca3af; border-radius: .3rem; height: .9rem; }
meter::-webkit-meter-optimum-value { background: #15803d; border-radius: .3rem; }
meter::-webkit-meter-suboptimum-value { background: #d97706; border-radius: .3rem; }
meter::-webkit-meter-even-less-good-value { background: #b91c1c; border-radius: .3rem; }
.gauge .nocap { display: block; margin-top: .15rem; height: .9rem; border: 1px dashed #9ca3af; border-radius: .3rem; }
.foot { font-size: .88rem; margin: .6rem 0 0; }
td .row-actions { min-width: 21rem; }
td .row-actions form.act label { flex: 1 1 8rem; }
.row-actions { display: flex; gap: .4rem; flex-wrap: wrap; align-items: center; }
.row-actions form.act { margin: 0; }
.sign-in main { display: flex; justify-content: center; padding-top: 12vh; }
.sign-in-card { width: 100%; max-width: 26rem; display: flex; flex-direction: column; gap: .6rem; }
.sign-in-card h1 { margin-bottom: 0; }
.sign-in-card label { font-weight: 600; }
.kv { display: grid; grid-template-columns: auto 1fr; gap: .2rem .9rem; margin: .5rem 0; font-size: .92rem; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; }
.live-banner { padding: .6rem .9rem; border-radius: .4rem; margin: 0 0 1rem; background: var(--warn-bg); color: var(--warn-fg); border: 1px solid #d97706; font-weight: 600; }
.live-banner[hidden] { display: none; }
.changed { animation: changed 2.5s ease-out; }
@keyframes changed { from { background-color: #fde68a; box-shadow: 0 0 0 3px #f59e0b; } to { background-color: transparent; box-shadow: none; } }
@media (prefers-reduced-motion: reduce) { .changed { animation: none; outline: 3px solid #f59e0b; } }
form.edit { margin-top: .75rem; border-top: 1px solid var(--line); padding-top: .6rem; }
form.edit .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem .75rem; }
form.edit .field { display: flex; flex-direction: column; gap: .2rem; font-size: .85rem; color: #374151; min-width: 0; }
form.edit .field.check { flex-direction: row; align-items: center; gap: .4rem; align-self: end; padding-bottom: .45rem; }
form.edit .hint { color: var(--muted); font-size: .8rem; }
form.edit .buttons { margin-top: .6rem; display: flex; gap: .5rem; }
select { font: inherit; padding: .4rem .5rem; border: 1px solid #6b7280; border-radius: .35rem; background: #fff; color: var(--fg); }
input[type="checkbox"] { width: 1.1rem; height: 1.1rem; accent-color: var(--primary); }
details.edit-box { margin-top: .6rem; }
details.edit-box > summary { cursor: pointer; color: var(--primary); font-weight: 600; }
.filters { display: flex; gap: .75rem; align-items: flex-end; flex-wrap: wrap; margin: 0 0 1rem; }
.filters a.filter { padding: .3rem .8rem; border: 1px solid #6b7280; border-radius: 999px; text-decoration: none; color: var(--fg); background: #fff; }
.filters a.filter[aria-current="page"] { background: var(--primary); border-color: var(--primary); color: #fff; font-weight: 600; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.row-actions.stack { flex-direction: column; align-items: stretch; min-width: 16rem; }
table.diff td.before { background: #fef2f2; }
table.diff td.after { background: #f0fdf4; }
.secret { display: block; padding: .6rem; background: #f9fafb; border: 1px dashed #6b7280; border-radius: .35rem; word-break: break-all; user-select: all; }
.target { box-shadow: 0 0 0 3px var(--focus); }
.approval h3 { margin-top: 0; }
.approval .kv { margin-bottom: .6rem; }
.scroll { overflow-x: auto; }
`;
