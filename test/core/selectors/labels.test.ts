import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from '../../../core/selectors/labels.ts';
import { SelectorError } from '../../../core/selectors/errors.ts';

describe('parseLabelSelector(text)', () => {
  describe('prints the canonical form apimachinery prints', () => {
    const cases: [input: string, canonical: string][] = [
      ['', ''],
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['x!=a,y=b', 'x!=a,y=b'],
      ['x==a', 'x==a'],
      ['x=', 'x='],
      ['x= ,z= ', 'x=,z='],
      ['!x', '!x'],
      ['x', 'x'],
      ['x>1,z<5', 'x>1,z<5'],
      ['  z = 1 ,  a  ', 'a,z=1'],
      ['tier in (web, db)', 'tier in (db,web)'],
      ['tier notin (a,a,b)', 'tier notin (a,b)'],
      ['a in ()', 'a in ()'],
      ['a in (,b)', 'a in (,b)'],
      ['a in (b,)', 'a in (,b)'],
      ['in in (notin)', 'in in (notin)'],
      ['notin=in', 'notin=in'],
      ['example.com/app=web', 'example.com/app=web'],
      ['a=b\t,\nc', 'a=b,c'],
    ];
    for (const [input, canonical] of cases) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(canonical)}`, () => {
        assert.equal(parseLabelSelector(input).toString(), canonical);
      });
    }
  });

  describe('rejects bad syntax with apimachinery’s message', () => {
    const cases: [input: string, message: string][] = [
      ['x=a(b', "found '(', expected: ',' or 'end of string'"],
      ['x==a==b', "found '==', expected: ',' or 'end of string'"],
      ['!x=a', "found '=', expected: ',' or 'end of string'"],
      ['a=b c', "found 'c', expected: ',' or 'end of string'"],
      ['a,', "found '', expected: identifier after ','"],
      [',a', "found ',', expected: !, identifier, or 'end of string'"],
      ['a in', "unable to parse requirement: found '' expected: '('"],
      ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
      ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    ];
    for (const [input, message] of cases) {
      it(JSON.stringify(input), () => {
        assert.throws(() => parseLabelSelector(input), (error: unknown) => {
          assert.ok(error instanceof SelectorError);
          assert.equal(error.name, 'SelectorError');
          assert.equal(error.message, message);
          return true;
        });
      });
    }
  });

  it('validates keys as qualified names with a DNS subdomain prefix', () => {
    assert.throws(
      () => parseLabelSelector('-a=b'),
      new SelectorError(
        `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ),
    );
    assert.throws(() => parseLabelSelector('Example.com/a'), /prefix part a lowercase RFC 1123 subdomain/);
    assert.throws(() => parseLabelSelector('a/b/c'), /a valid label key must consist of/);
    assert.throws(() => parseLabelSelector(`${'k'.repeat(64)}=v`), /name part must be no more than 63 bytes/);
  });

  it('validates values: at most 63 characters, alphanumeric at both ends', () => {
    assert.doesNotThrow(() => parseLabelSelector(`a=${'v'.repeat(63)}`));
    assert.throws(
      () => parseLabelSelector(`a=${'v'.repeat(64)}`),
      new SelectorError(`unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`),
    );
    assert.throws(() => parseLabelSelector('a in (ok,-bad)'), /values\[0\]\[a\]: Invalid value: "-bad": a valid label must be/);
  });

  describe('matches labels as Requirement.Matches does', () => {
    const labels = { foo: 'bar', baz: 'blah', n: '7' };
    const cases: [selector: string, labels: Record<string, string> | undefined, matches: boolean][] = [
      ['', labels, true],
      ['', undefined, true],
      ['foo=bar', labels, true],
      ['foo==bar,baz=blah', labels, true],
      ['foo=blah', labels, false],
      ['foo=bar,foobar=bar', labels, false],
      ['foo!=blah', labels, true],
      ['foo!=bar', labels, false],
      ['missing!=x', labels, true],
      ['foo in (x,bar)', labels, true],
      ['foo in (x,y)', labels, false],
      ['missing in (x)', labels, false],
      ['foo notin (bar)', labels, false],
      ['missing notin (x)', labels, true],
      ['foo', labels, true],
      ['missing', labels, false],
      ['!missing', labels, true],
      ['!foo', labels, false],
      ['n>6', labels, true],
      ['n>7', labels, false],
      ['n<8', labels, true],
      ['foo>1', labels, false],
      ['missing<1', labels, false],
      ['x=', { x: '' }, true],
      ['x=', {}, false],
      ['constructor', {}, false],
      ['foo=bar', undefined, false],
      ['missing!=x', undefined, true],
    ];
    for (const [selector, set, matches] of cases) {
      it(`${JSON.stringify(selector)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(set)}`, () => {
        assert.equal(parseLabelSelector(selector).matches(set), matches);
      });
    }
  });

  it('is empty only for a selector without requirements', () => {
    assert.equal(parseLabelSelector('').empty, true);
    assert.equal(parseLabelSelector('   ').empty, true);
    assert.equal(parseLabelSelector('a').empty, false);
  });

  it('exposes the requirements sorted by key, values sorted', () => {
    assert.deepEqual(parseLabelSelector('z=1,a in (y,x)').requirements, [
      { key: 'a', operator: 'in', values: ['x', 'y'] },
      { key: 'z', operator: '=', values: ['1'] },
    ]);
  });
});
