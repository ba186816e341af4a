import { describe, expect, it } from 'vitest';
import { pickGeometryHeaders } from '../../../../containers/ingest/file-relay.ts';
import { geometryHeaders } from '../../../../core/jobs/result-headers.ts';

describe('geometryHeaders', () => {
  it("gives remove.bg's size and foreground headers", () => {
    expect(
      geometryHeaders({ width: 680, height: 440, bbox: { x: 12, y: 34, width: 56, height: 78 } }),
    ).toEqual({
      'X-Width': '680',
      'X-Height': '440',
      'X-Foreground-Top': '34',
      'X-Foreground-Left': '12',
      'X-Foreground-Width': '56',
      'X-Foreground-Height': '78',
    });
  });

  it('leaves the foreground out without a subject, and everything out without geometry', () => {
    expect(geometryHeaders({ width: 10, height: 20, bbox: null })).toEqual({
      'X-Width': '10',
      'X-Height': '20',
    });
    expect(geometryHeaders(undefined)).toEqual({});
  });

  it('are what the front door keeps from a reply it relays', () => {
    const reply = Object.fromEntries(
      Object.entries(
        geometryHeaders({ width: 1, height: 2, bbox: { x: 0, y: 0, width: 1, height: 1 } }),
      ).map(([k, v]) => [k.toLowerCase(), v]),
    );
    expect(
      pickGeometryHeaders({ ...reply, location: 'https://s3/x', 'set-cookie': ['a'] }),
    ).toEqual(reply);
  });
});
