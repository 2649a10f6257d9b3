import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { levelForVerbosity, toTextLine } from '../../core/logger.ts';

describe('the logger', () => {
  it('maps klog verbosity to levels: info up to 3, debug from 4, trace from 6', () => {
    assert.deepEqual([0, 3, 4, 5, 6, 9].map(levelForVerbosity), ['info', 'info', 'debug', 'debug', 'trace', 'trace']);
  });

  it('writes text lines with klog’s header, the message quoted and the fields as key=value', () => {
    const line = toTextLine({ level: 40, time: Date.UTC(2026, 10, 30, 12, 49, 1, 123), pid: 42, msg: 'config rejected', component: 'reload', kinds: 3 });
    assert.equal(line, 'W1130 12:49:01.123000      42 kindred] "config rejected" component="reload" kinds=3');
  });
});
