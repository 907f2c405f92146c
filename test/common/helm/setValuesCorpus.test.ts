// The `values` lines against real Helm 3 and Helm 4 as the oracle: a chart that renders
// `toJson .Values` is rendered once with the lines as Helm's own --set/--set-string/--set-json
// arguments and once with the private values file the task writes; both must give the same values.
// A line with a comma outside braces is given to Helm with that comma escaped (`\,`), since a line
// here is one assignment. Lines Helm rejects must be rejected here too, with its reason.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { UserError } from '../../../tasks/common/errors';
import type { ValueTyping } from '../../../tasks/common/helm/setValueParser';
import { parseValueLines, writeValuesFile } from '../../../tasks/common/helm/valuesFile';
import { HELMS, fixtureChart, helmCommand, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';
import path from 'node:path';

/** One line of the `values` input, and the argument Helm gets for it when it differs. */
interface CorpusLine {
  readonly line: string;
  readonly helm?: string;
}
const L = (line: string, helm?: string): CorpusLine => (helm === undefined ? { line } : { line, helm });

const CORPUS: Record<ValueTyping, readonly CorpusLine[]> = {
  set: [
    L('greeting=hello, world', 'greeting=hello\\, world'),
    L('replicaCount=3'),
    L('port=08080'),
    L('zero=0'),
    L('negative=-42'),
    L('plus=+7'),
    L('minusLeadingZero=-01'),
    L('float=1.5'),
    L('exponent=1e3'),
    L('beyondInt64=9223372036854775808'),
    L('maxSafe=9007199254740991'),
    L('enabled=true'),
    L('shout=TRUE'),
    L('off=False'),
    L('longS=falſe'),
    L('nothing=null'),
    L('defaults.drop=null'),
    L('defaults.keep=changed'),
    L('defaults.list[1]=B'),
    L('hosts={a,b,c}'),
    L('ports={80,443,true,null,08}'),
    L('emptyList={}'),
    L('emptyValue='),
    L('image.repository=nginx'),
    L('image.tag=1.25'),
    L('a.b.c.d=deep'),
    L('annotations.example\\.com/scrape=true'),
    L('servers[0].name=one'),
    L('servers[0].port=80'),
    L('servers[2].name=three'),
    L('matrix[1][0]=x'),
    L('tags[0]={x,y}'),
    L('url=https://example.com/a?b=c&d=e'),
    L('spaces=  padded  '),
    L(`quotes=it's "quoted"`),
    L('hash=value # not a comment'),
    L('unicode=Grüße ✓ 日本'),
    L('escapedComma=a\\,b'),
    L('backslash=C:\\\\dir'),
    L('droppedBackslash=C:\\dir'),
    L('trailingBackslash=abc\\'),
    L('braceInside=a{b,c}', 'braceInside=a{b\\,c}'),
    L('literalBrace=\\{x,y}', 'literalBrace=\\{x\\,y}'),
    L('yaml11=yes'),
    L('tilde=~'),
    L('multiEquals=k=v=w'),
    L('order=first'),
    L('order=second'),
    L('replaced.a=1'),
    L('replaced=scalar'),
    L('list2[0]=a'),
    L('list2[1]=b'),
    L('key with spaces=v'),
    L('password=p@ss,w0rd;%]', 'password=p@ss\\,w0rd;%]'),
  ],
  string: [
    L('s.count=3'),
    L('s.flag=true'),
    L('s.nil=null'),
    L('s.list={1,2}'),
    L('s.greeting=hello, world', 's.greeting=hello\\, world'),
    L('s.idx[1]=x'),
  ],
  json: [
    L('j.obj={"a":1,"b":[true,null,"x"]}'),
    L('j.num=1.50'),
    L('j.big=12345678901234567890'),
    L('j.exp=1e21'),
    L('j.small=1e-7'),
    L('j.str="hello, world"'),
    L('j.empty='),
    L('j.list[1]={"x":1}'),
    L('j.nested.key="v"'),
    L('j.int=3'),
  ],
};

const FLAG: Record<ValueTyping, string> = { set: '--set', string: '--set-string', json: '--set-json' };

/** Lines Helm rejects, with the words of Helm's reason that ours must carry too. */
interface Rejected {
  readonly lines: readonly string[];
  readonly helm?: readonly string[];
  readonly typing?: ValueTyping;
  /** Helm's reason, which our message repeats; undefined where ours says it its own way. */
  readonly reason?: string;
  readonly ours: RegExp;
}

const SECRET = 's3cr3t';
const REJECTED: readonly Rejected[] = [
  { lines: [`list={${SECRET},b`], reason: "list must terminate with '}'", ours: /list must terminate/ },
  { lines: ['tpl={{ .Release.Name }}'], ours: /text follows the list's closing '\}'/ },
  {
    lines: [`hosts={a,b},${SECRET}`],
    helm: [`hosts={a,b}\\,${SECRET}`],
    ours: /text follows the list's closing '\}'/,
  },
  {
    lines: [`a=1`, `a.b=${SECRET}`],
    reason: 'unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}',
    ours: /earlier line gave "a"/,
  },
  {
    lines: [`n=null`, `n[0]=${SECRET}`],
    reason: 'interface conversion: interface {} is nil, not []interface {}',
    ours: /interface \{\} is nil/,
  },
  {
    lines: [`idx[x]=${SECRET}`],
    reason: 'error parsing index: strconv.Atoi: parsing "x": invalid syntax',
    ours: /invalid syntax/,
  },
  { lines: [`idx[-1]=${SECRET}`], reason: 'negative -1 index not allowed', ours: /negative -1/ },
  {
    lines: [`idx[65537]=${SECRET}`],
    reason: 'index of 65537 is greater than maximum supported index of 65536',
    ours: /65537/,
  },
  {
    lines: [`idx[0]x=${SECRET}`],
    reason: "unexpected data at end of array index: ['x']",
    ours: /unexpected data/,
  },
  { lines: [`a,b=${SECRET}`], reason: 'key "a" has no value (cannot end with ,)', ours: /cannot end with/ },
  {
    lines: [`${'k.'.repeat(31)}k=${SECRET}`],
    reason: 'value name nested level is greater than maximum supported nested level of 30',
    ours: /nested level/,
  },
  { lines: [`x..y=${SECRET}`], reason: 'key map "x" has no value', ours: /key map "x"/ },
  { lines: [`j={"a":"${SECRET}"`], typing: 'json', ours: /not one valid JSON value/ },
  { lines: [`j="${SECRET}" trailing`], typing: 'json', ours: /not one valid JSON value/ },
];

function renderedValues(stdout: string): unknown {
  const doc = YAML.parse(stdout) as { data: { 'values.json': string } };
  return JSON.parse(doc.data['values.json']);
}

describe('Values lines against Helm --set as the oracle', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it(`the corpus holds at least 40 lines`, () => {
    const count = Object.values(CORPUS).reduce((n, lines) => n + lines.length, 0) + REJECTED.length;
    assert.ok(count >= 40, `${count} lines`);
  });

  const outputs = new Map<string, unknown>();
  for (const helm of HELMS) {
    for (const typing of Object.keys(CORPUS) as ValueTyping[]) {
      it(`${helm.name}: ${typing} lines give the values Helm's ${FLAG[typing]} gives`, async () => {
        const run = helmCommand(helm);
        const lines = CORPUS[typing];
        const chart = fixtureChart('values-json');
        const oracle = await run([
          'template',
          'r',
          chart,
          ...lines.flatMap((l) => [FLAG[typing], l.helm ?? l.line]),
        ]);
        assert.equal(oracle.code, 0, oracle.stderr);
        const file = path.join(makeTempDir('corpus'), 'values.yaml');
        writeValuesFile(file, parseValueLines(lines.map((l) => l.line).join('\n'), typing));
        const ours = await run(['template', 'r', chart, '-f', file]);
        assert.equal(ours.code, 0, ours.stderr);
        const expected = renderedValues(oracle.stdout);
        assert.deepEqual(renderedValues(ours.stdout), expected);
        outputs.set(`${helm.name} ${typing}`, expected);
      });
    }
  }

  it('Helm 3 and Helm 4 agree on every corpus line (else the note lists the difference)', function () {
    if (outputs.size < 6) this.skip();
    for (const typing of Object.keys(CORPUS)) {
      assert.deepEqual(outputs.get(`Helm 3 ${typing}`), outputs.get(`Helm 4 ${typing}`));
    }
  });

  it('types the values as --set does: numbers, booleans, null, lists and indexes', () => {
    const set = outputs.get('Helm 4 set') ?? outputs.get('Helm 3 set');
    assert.ok(set, 'the set corpus ran');
    const v = set as Record<string, unknown>;
    assert.equal(v.greeting, 'hello, world');
    assert.equal(v.replicaCount, 3);
    assert.equal(v.port, '08080');
    assert.equal(v.longS, false);
    assert.deepEqual(v.defaults, { keep: 'changed', list: [null, 'B'] });
    assert.deepEqual(v.servers, [{ name: 'one', port: 80 }, null, { name: 'three' }]);
    assert.deepEqual(v.ports, [80, 443, true, null, '08']);
  });

  for (const helm of HELMS) {
    it(`${helm.name}: a line Helm rejects is rejected with its reason and line number, not its value`, async () => {
      const run = helmCommand(helm);
      for (const r of REJECTED) {
        const typing = r.typing ?? 'set';
        const helmArgs = (r.helm ?? r.lines).flatMap((l) => [FLAG[typing], l]);
        const oracle = await run(['template', 'r', fixtureChart('values-json'), ...helmArgs]);
        assert.notEqual(oracle.code, 0, `Helm accepts ${r.lines.join(' ')}`);
        if (r.reason) assert.ok(oracle.stderr.includes(r.reason), `Helm says: ${oracle.stderr}`);
        const text = ['first=1', ...r.lines].join('\n');
        assert.throws(
          () => parseValueLines(text, typing),
          (e: Error) => {
            assert.ok(e instanceof UserError, e.stack);
            assert.match(e.message, new RegExp(`^Line ${r.lines.length + 1} of 'values'`));
            assert.match(e.message, r.ours);
            if (r.reason) assert.ok(e.message.includes(r.reason), e.message);
            assert.ok(!e.message.includes(SECRET), e.message);
            return true;
          },
        );
      }
    });
  }
});
