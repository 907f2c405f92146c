// The log as the runner shows it: registered secrets masked in every form the leak check knows,
// the commands the agent consumes left out, issues marked, debug lines only with System.Debug;
// and the HTML report escapes what a task printed.
import assert from 'node:assert/strict';
import { agentLog } from '../../runner/pipeline/agentLog';
import { markdownToHtml, renderHtmlReport } from '../../runner/report/htmlReport';
import { logToText, markdownToText } from '../../runner/report/terminal';

const SECRET = 's3cr3t;value]%!'; // 15 bytes: base64 without padding
const known = [{ label: 'test', value: SECRET }];

describe('runner: the agent log', () => {
  const stdout = [
    `##vso[task.setsecret]${SECRET}`,
    '##[group]Resolve',
    `token ${SECRET} and ${Buffer.from(SECRET).toString('base64')}`,
    '##[endgroup]',
    '##vso[task.debug]a debug line',
    '##vso[task.issue type=warning]careful',
    '##vso[task.setvariable variable=x;isOutput=true]1',
    'done',
  ].join('\n');

  it('masks secrets, hides consumed commands, marks issues, keeps debug lines only in debug', () => {
    const lines = agentLog(stdout, '', known, false);
    assert.deepEqual(
      lines.map((l) => l.kind),
      ['group', 'text', 'endgroup', 'warning', 'text'],
    );
    assert.equal(lines[1]?.text, 'token *** and ***');
    assert.deepEqual(logToText(lines), ['▼ Resolve', '  token *** and ***', 'WARNING: careful', 'done']);
    assert.ok(agentLog(stdout, '', known, true).some((l) => l.kind === 'debug' && l.text === 'a debug line'));
  });

  it('escapes task output and summaries in the HTML report', () => {
    const html = renderHtmlReport({
      title: 'r',
      stages: [
        {
          title: 's',
          steps: [
            {
              title: '<b>t</b>',
              task: 'X@1',
              result: 'Succeeded',
              log: [{ kind: 'text', text: '<script>alert(1)</script>' }],
              variables: [],
              summaries: ['### <img src=x> `a|b`\n\n| A | B |\n| --- | ---: |\n| <i>x</i> \\| y | 1<br>2 |'],
              durationMs: 1,
            },
          ],
        },
      ],
    });
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('<img src=x>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('<td class="left">&lt;i&gt;x&lt;/i&gt; | y</td><td class="right">1<br>2</td>'));
    assert.match(markdownToHtml('**bold** `code`'), /<p><strong>bold<\/strong> <code>code<\/code><\/p>/);
    assert.deepEqual(markdownToText('| A | B |\n| --- | ---: |\n| x | 10 |'), ['A   B', '-  --', 'x  10']);
  });
});
