import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PageQueryDto, toPage } from './paging.js';

const invalid = (query: Record<string, string>) => validateSync(plainToInstance(PageQueryDto, query)).map((e) => e.property);

describe('PageQueryDto', () => {
  it('accepts canonical limits and zoned instants', () => {
    expect(invalid({ limit: '50', before: '17', since: '2025-11-21T00:00:00Z', until: '2025-11-22T00:00:00+02:00' })).toEqual([]);
  });

  it.each(['', ' 5', '1e2', '0x10', '05', '-1', '0', '501', '1.0'])('refuses limit=%p', (limit) => {
    expect(invalid({ limit })).toEqual(['limit']);
  });

  it('refuses instants without a zone and bad cursors', () => {
    expect(invalid({ since: '2025-11-21' })).toEqual(['since']);
    expect(invalid({ before: 'abc' })).toEqual(['before']);
  });
});

describe('toPage', () => {
  const rows = [5, 4, 3, 2, 1].map((id) => ({ id }));
  it('links to an older page only when one exists', () => {
    expect(toPage(rows.slice(0, 3), 2, (r) => String(r.id), (r) => r.id)).toEqual({ items: [5, 4], next_cursor: '4' });
    expect(toPage(rows.slice(0, 2), 2, (r) => String(r.id), (r) => r.id)).toEqual({ items: [5, 4], next_cursor: null });
  });
});
