import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { REVIEW } from './review.lever.js';

const PAGE = { slug: 'reviews', title: 'Reviews', order: 60 };

/**
 * Reviews, the review library's page: the weekly reports, each a link to its HTML page.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, problem, when, empty, section, content, G } = kit;
  return api('GET', G + '/reviews').then(function (r) {
    var list = r.status === 404 ? [] : Array.isArray(r.body) ? r.body : r.body && (r.body.items || r.body.reports) || [];
    if (!r.ok && r.status !== 404) throw new Error(problem(r));
    content.replaceChildren(section('Weekly reviews', list.length ? [h('ul', {}, list.map(function (x) {
      var week = typeof x === 'string' ? x : x.week;
      return h('li', {}, [h('a', { href: G + '/reviews/' + encodeURIComponent(week) + '.html', text: 'Week ' + week }), x.generated_at ? h('span', { class: 'muted', text: ' · generated ' + when(x.generated_at) }) : null]);
    }))] : [empty('No reports yet.')]));
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
