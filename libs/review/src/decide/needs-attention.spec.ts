import { jobAttention } from './needs-attention.js';

describe('needs attention: the review\u2019s own rule', () => {
  it('lists a job whose last run failed, with its error; not one that succeeded or never ran', () => {
    const items = jobAttention([
      { job: 'x', status: 'failed', error: 'boom' },
      { job: 'y', status: 'succeeded', error: null },
      { job: 'z', status: null, error: null },
      { job: 'w', status: 'failed', error: null },
    ]);
    expect(items).toEqual([
      { kind: 'job_failed', subject: 'job:x', message: 'job x failed its last run: boom', href: '/console', action: 'See the jobs on Status' },
      { kind: 'job_failed', subject: 'job:w', message: 'job w failed its last run', href: '/console', action: 'See the jobs on Status' },
    ]);
  });

  it('is empty when every job is fine', () => {
    expect(jobAttention([])).toEqual([]);
  });
});
