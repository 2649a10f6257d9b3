import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { age, humanDuration } from '../../core/duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration(ms)', () => {
  // apimachinery pkg/util/duration/duration_test.go, TestHumanDuration and its boundaries.
  const cases: [ms: number, text: string][] = [
    [s, '1s'],
    [45 * s, '45s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [5 * m + 30 * s, '5m30s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [2 * y + 25 * h, '2y1d'],
    [8 * y + 2 * h, '8y'],
    [-2 * s, '<invalid>'],
    [-2 * s + 0.001, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [2 * d + 4 * h, '2d4h'],
    [8 * d - 1, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [2 * y + 24 * h - 1, '2y'],
    [2 * y + 24 * h, '2y1d'],
    [3 * y, '3y'],
    [8 * y - 1, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms}ms is ${text}`, () => {
      assert.equal(humanDuration(ms), text);
    });
  }
});

describe('age(creationTimestamp, now)', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const cases: [timestamp: string | undefined, text: string][] = [
    ['2024-05-01T11:55:00Z', '5m'],
    ['2024-04-29T08:00:00Z', '2d4h'],
    ['2024-05-01T11:59:15.5+00:00', '44s'],
    ['2024-05-01T13:59:15+02:00', '45s'],
    ['2024-05-01T12:00:01Z', '0s'],
    ['2024-05-01T12:00:05Z', '<invalid>'],
    [undefined, '<unknown>'],
    ['', '<unknown>'],
    ['null', '<unknown>'],
    ['2024-05-01t11:55:00z', '<invalid>'],
    ['0001-01-01T00:00:00Z', '<unknown>'],
    ['yesterday', '<invalid>'],
    ['2024-05-01', '<invalid>'],
  ];
  for (const [timestamp, text] of cases) {
    it(`${JSON.stringify(timestamp)} is ${text}`, () => {
      assert.equal(age(timestamp, now), text);
    });
  }
});
