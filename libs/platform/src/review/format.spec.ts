import { formatPercent, formatPoints, humanize, isRatioKey } from './format.js';

describe('humanize', () => {
  it.each([
    ['max_daily_exposure', 'Max daily exposure'],
    ['engine_open_risk_cap', 'Engine open risk cap'],
    ['p95_seconds_to_decision', 'P95 seconds to decision'],
    ['request_id', 'Request ID'],
    ['reservation_ttl_seconds', 'Reservation TTL seconds'],
    ['dry_run', 'Dry run'],
    ['require_approval', 'Require approval'],
    ['kill-switch', 'Kill switch'],
    ['count', 'Count'],
    ['tier_1', 'Tier 1'],
  ])('%s reads "%s"', (name, words) => {
    expect(humanize(name)).toBe(words);
  });

  it.each(['WHOLESALE', 'BUYER_MATCH', 'WHOLESALE_OFFER/contract_rate', 'Already words', 'observe mode', '', 'CamelCase'])('keeps %j exactly', (name) => {
    expect(humanize(name)).toBe(name);
  });
});

describe('formatPercent', () => {
  it.each([
    ['0.0000', '0.0%'],
    ['0', '0.0%'],
    ['0.8123', '81.2%'],
    ['0.81249', '81.2%'],
    ['0.8125', '81.3%'],
    ['0.0005', '0.1%'],
    ['1', '100.0%'],
    ['1.0000', '100.0%'],
    [0.5, '50.0%'],
    ['0.07', '7.0%'],
    ['1.25', '125.0%'],
  ] as Array<[string | number, string]>)('%j is %s', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  it.each([null, undefined, '', 'n/a'])('%j has no value (—), never 0%%', (ratio) => {
    expect(formatPercent(ratio as string | null)).toBe('—');
  });
});

describe('formatPoints', () => {
  it.each([
    ['-0.05', '−5.0 pt'],
    ['0.012', '+1.2 pt'],
    ['0', '0.0 pt'],
    ['0.00001', '0.0 pt'],
    [null, '—'],
  ] as Array<[string | null, string]>)('%j is %s', (diff, text) => {
    expect(formatPoints(diff)).toBe(text);
  });
});

describe('isRatioKey', () => {
  it.each(['peak_ratio', 'loss_ratio', 'success_rate', 'eligibility_rate', 'min_success_rate', 'mean_confidence', 'min_confidence'])('%s is a ratio', (k) => {
    expect(isRatioKey(k)).toBe(true);
  });
  it.each(['realized_loss', 'trials', 'max_daily_exposure', 'rate_limit_window', 'generated_at'])('%s is not', (k) => {
    expect(isRatioKey(k)).toBe(false);
  });
});
