import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { REVIEW } from './review.lever.js';

const PAGE = { slug: 'reviews', title: 'Reviews', order: 60 };

/**
 * Reviews, the review library's page: the weekly reports, each a link to its HTML page; for an
 * operator, a past week's report generated (a report is written once: the API refuses a second).
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, problem, when, empty, section, fieldsForm, content, G, CAN_ACT } = kit;
  /** The ISO week (2026-W49) holding a date, in UTC. */
  function isoWeek(d) {
    var t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
    var y = t.getUTCFullYear();
    var w = Math.ceil(((t.getTime() - Date.UTC(y, 0, 1)) / 86400000 + 1) / 7);
    return y + '-W' + (w < 10 ? '0' : '') + w;
  }
  function generateForm() {
    return fieldsForm({ label: 'Generate a weekly review', button: 'Generate review', reason: false,
      fields: [{ name: 'week', label: 'Week', type: 'text', value: isoWeek(new Date(Date.now() - 7 * 86400000)), required: true, hint: 'a past ISO week, e.g. 2026-W48' }],
      run: function (v) { return api('POST', G + '/reviews/' + encodeURIComponent(v.week) + '/generate'); },
      done: function (r) {
        if (r.status === 202) return kit.afterAction('')(r);
        if (!r.ok) return say('error', 'Refused — ' + problem(r));
        var week = r.body && r.body.week;
        say('ok', ['Review ' + week + ' generated. ', h('a', { href: G + '/reviews/' + encodeURIComponent(week) + '.html', text: 'Open it' })]);
        return kit.reload();
      } });
  }
  return api('GET', G + '/reviews').then(function (r) {
    var list = r.status === 404 ? [] : Array.isArray(r.body) ? r.body : r.body && (r.body.items || r.body.reports) || [];
    if (!r.ok && r.status !== 404) throw new Error(problem(r));
    content.replaceChildren.apply(content, [section('Weekly reviews', list.length ? [h('ul', {}, list.map(function (x) {
      var week = typeof x === 'string' ? x : x.week;
      return h('li', {}, [h('a', { href: G + '/reviews/' + encodeURIComponent(week) + '.html', text: 'Week ' + week }), x.generated_at ? h('span', { class: 'muted', text: ' · generated ' + when(x.generated_at) }) : null]);
    }))] : [empty('No reports yet.')]), CAN_ACT ? section('Generate a review', [h('p', { class: 'muted', text: 'The Monday job writes each week’s report; a week it missed can be generated here once it is over.' }), generateForm()]) : null].filter(Boolean));
  });
}
`;

@Injectable()
@ConsolePanel(REVIEW, PAGE)
export class ReviewConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
