import { MetricsService } from './metrics.service.js';

describe('MetricsService state gauges', () => {
  it('a reading that never answers (a hung database) leaves the last values and the scrape answers', async () => {
    const metrics = new MetricsService();
    metrics.stateGaugeDeadlineMs = 50;
    let calls = 0;
    let hang = false;
    metrics.registerStateGauge({
      name: 'test_headroom',
      help: 'test',
      labelNames: ['engine'],
      read: () => {
        calls++;
        return hang ? new Promise(() => {}) : [{ labels: { engine: 'A' }, value: 7 }];
      },
    });
    expect(await metrics.registry.metrics()).toContain('test_headroom{engine="A"} 7');
    hang = true;
    expect(await metrics.registry.metrics()).toContain('test_headroom{engine="A"} 7');
    // The hung reading is reused, not piled up: one more call in all.
    expect(await metrics.registry.metrics()).toContain('test_headroom{engine="A"} 7');
    expect(calls).toBe(2);
    expect(await metrics.registry.metrics()).toMatch(/warden_metrics_state_gauge_errors_total\{gauge="test_headroom"\} [1-9]/);
  });

  it('a failing reading keeps the last values; a series no longer read disappears at the next good reading', async () => {
    const metrics = new MetricsService();
    let next: () => Array<{ labels: Record<string, string>; value: number }> = () => [
      { labels: { engine: 'A' }, value: 1 },
      { labels: { engine: 'B' }, value: 2 },
    ];
    metrics.registerStateGauge({ name: 'test_g', help: 'test', labelNames: ['engine'], read: () => next() });
    expect(await metrics.registry.metrics()).toContain('test_g{engine="B"} 2');
    next = () => {
      throw new Error('database down');
    };
    expect(await metrics.registry.metrics()).toContain('test_g{engine="B"} 2');
    next = () => [{ labels: { engine: 'A' }, value: 3 }];
    const text = await metrics.registry.metrics();
    expect(text).toContain('test_g{engine="A"} 3');
    expect(text).not.toContain('test_g{engine="B"}');
  });

  it('declared decision outcomes exist at 0 before any event; default metrics keep their stock names', async () => {
    const metrics = new MetricsService();
    metrics.registerDecisionOutcomes('risk', ['allowed', 'denied']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('warden_decisions_total{lever="risk",outcome="allowed"} 0');
    expect(text).toContain('warden_decisions_total{lever="risk",outcome="denied"} 0');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
