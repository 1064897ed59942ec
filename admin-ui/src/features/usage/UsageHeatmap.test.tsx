import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, renderWithApi } from '../../test/utils';
import { heatmapCells, UsageHeatmap } from './UsageHeatmap';

describe('heatmapCells', () => {
  it("puts each hour's requests in its weekday and hour of the zone", () => {
    const points = [
      { start: '2026-11-23T09:00:00Z', requests: 3 }, // Monday 09:00 UTC
      { start: '2026-11-30T09:00:00Z', requests: 2 }, // the next Monday, same hour
      { start: '2026-11-29T23:00:00Z', requests: 7 }, // Sunday 23:00 UTC, Monday 00:00 in Berlin
      { start: '2026-11-24T04:30:00Z', requests: 1 }, // Tuesday 10:00 in Kolkata (+05:30)
      { start: '2026-11-25T12:00:00Z', requests: 0 },
    ];
    const utc = heatmapCells(points, 'UTC');
    expect(utc[0][9]).toBe(5);
    expect(utc[6][23]).toBe(7);
    expect(utc.flat().reduce((a, b) => a + b, 0)).toBe(13);
    const berlin = heatmapCells(points, 'Europe/Berlin');
    expect(berlin[0][0]).toBe(7);
    expect(berlin[0][10]).toBe(5);
    expect(heatmapCells(points, 'Asia/Kolkata')[1][10]).toBe(1);
  });
});

describe('UsageHeatmap', () => {
  it('is a table of weekdays by hours, each cell giving its count to assistive technology', async () => {
    const api = mockApi({
      UsageHeatmap_InstanceUsageQuery: (v) => {
        expect(v).toMatchObject({ from: '2026-11-21T00:00:00Z', to: '2026-11-28T00:00:00Z', timeZone: 'UTC' });
        return {
          data: {
            instanceUsage: {
              points: [
                { start: '2026-11-24T14:00:00Z', requests: 42 },
                { start: '2026-11-26T08:00:00Z', requests: 5 },
              ],
            },
          },
        };
      },
    });
    renderWithApi(<UsageHeatmap from="2026-11-21T00:00:00Z" to="2026-11-28T00:00:00Z" timeZone="UTC" rangeLabel="7 days" />, api);
    const table = await screen.findByRole('table', { name: /Requests by day of week .* busiest hour 42 requests/ });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(8); // the hours, then Monday to Sunday
    const tuesday = rows[2];
    expect(within(tuesday).getByRole('rowheader').textContent).toBe('Tue');
    const cells = within(tuesday).getAllByRole('cell');
    expect(cells).toHaveLength(24);
    expect(cells[14].textContent).toBe('42');
    expect(cells[14].getAttribute('title')).toBe('Tue 14:00: 42 requests');
    expect(cells[13].textContent).toBe('0');
    expect(within(rows[4]).getAllByRole('cell')[8].textContent).toBe('5');
  });
});
