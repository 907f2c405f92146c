// The task.json checker: a valid sample passes, and each rule is shown to fire on a sample broken
// in one way, with no message but the expected ones.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateJsonSchema } from '../support/jsonSchema';
import { checkTaskJson, parseVisibleRule } from '../support/taskJsonRules';

type Json = Record<string, unknown>;

/** A task.json that passes every rule; each case below breaks one thing. */
function sampleTask(): Json {
  const input = (name: string, type: string, groupName: string, extra: Json = {}) => ({
    name,
    type,
    label: name,
    groupName,
    ...extra,
  });
  return {
    $schema: 'https://raw.githubusercontent.com/Microsoft/azure-pipelines-task-lib/master/tasks.schema.json',
    id: '0f9e6c2a-3b1d-4c5e-8a7f-123456789abc',
    name: 'SampleTask',
    friendlyName: 'Sample task',
    description: 'A task that only exists in this test.',
    category: 'Deploy',
    author: 'Tests',
    version: { Major: 1, Minor: 2, Patch: 3 },
    minimumAgentVersion: '3.232.1',
    instanceNameFormat: 'Sample $(target)',
    groups: [
      { name: 'main', displayName: 'Main', isExpanded: true },
      { name: 'advanced', displayName: 'Advanced', isExpanded: false, visibleRule: 'mode = fast' },
    ],
    inputs: [
      input('mode', 'pickList', 'main', { defaultValue: 'safe', options: { safe: 'Safe', fast: 'Fast' } }),
      input('target', 'string', 'main', { required: true, visibleRule: 'mode != fast && dryRun = false' }),
      input('dryRun', 'boolean', 'advanced', { defaultValue: 'false' }),
      input('suffix', 'string', 'advanced', {
        visibleRule: 'target EndsWith .io || target NotContains stage',
      }),
    ],
    outputVariables: [{ name: 'digest', description: 'The digest.' }],
    execution: {
      Node20_1: { target: 'index.js', argumentFormat: '' },
      Node24: { target: 'index.js', argumentFormat: '' },
    },
  };
}

const inputs = (t: Json) => t['inputs'] as Json[];
const inputNamed = (t: Json, name: string) => inputs(t).find((i) => i['name'] === name) as Json;
const handlers = (t: Json) => t['execution'] as Json;

/** [what is broken, how, messages that must all appear (and nothing else)] */
const brokenSamples: [string, (t: Json) => void, RegExp[]][] = [
  [
    'an unknown top-level property',
    (t) => (t['colour'] = 'blue'),
    [/^schema: \$: property "colour" is not allowed$/],
  ],
  [
    'an input type outside the schema',
    (t) => (inputNamed(t, 'target')['type'] = 'dropdown'),
    [/^schema: \$\.inputs\[1\]\.type: matches none of anyOf/],
  ],
  [
    'a group without displayName',
    (t) => delete (t['groups'] as Json[])[0]?.['displayName'],
    [/^schema: \$\.groups\[0\]: required property "displayName"/],
  ],
  [
    'a category outside the enum',
    (t) => (t['category'] = 'Deployment'),
    [/^schema: \$\.category: "Deployment" is not one of/],
  ],
  [
    'a bad GUID',
    (t) => (t['id'] = '0f9e6c2a-3b1d-4c5e-8a7f-12345678'),
    [/^schema: \$\.id: .* does not match/, /^tfx: id .* is not a GUID$/],
  ],
  [
    'a name with a space',
    (t) => (t['name'] = 'Sample Task'),
    [/^schema: \$\.name: /, /^tfx: name "Sample Task" must match/],
  ],
  [
    'a friendlyName of 41 characters',
    (t) => (t['friendlyName'] = 'x'.repeat(41)),
    [/^tfx: friendlyName "x+" has 41 characters, at most 40$/],
  ],
  ['no instanceNameFormat', (t) => delete t['instanceNameFormat'], [/^tfx: instanceNameFormat is missing$/]],
  [
    'an execution target missing from the task folder',
    (t) => Object.values(handlers(t)).forEach((h) => ((h as Json)['target'] = 'main.js')),
    [
      /^tfx: execution\.Node20_1 target "main\.js" does not exist/,
      /^tfx: execution\.Node24 target "main\.js" does not exist/,
    ],
  ],
  [
    'an execution target outside the task folder',
    (t) => Object.values(handlers(t)).forEach((h) => ((h as Json)['target'] = '../index.js')),
    [
      /^tfx: execution\.Node20_1 target "\.\.\/index\.js" is outside/,
      /^tfx: execution\.Node24 target .* is outside/,
    ],
  ],
  [
    'a handler without target',
    (t) => (handlers(t)['Node24'] = {}),
    [/^schema: \$\.execution\.Node24: required property "target"/, /^tfx: execution\.Node24 has no target$/],
  ],
  [
    'a Node16 handler',
    (t) => (handlers(t)['Node16'] = { target: 'index.js' }),
    [/^handlers: execution\.Node16 is not allowed/],
  ],
  [
    'a plain "Node20" handler',
    (t) => (handlers(t)['Node20'] = { target: 'index.js' }),
    [
      /^schema: \$\.execution: property "Node20" is not allowed$/,
      /^handlers: execution\.Node20 is not allowed/,
    ],
  ],
  ['no Node24 handler', (t) => delete handlers(t)['Node24'], [/^handlers: execution lacks Node24$/]],
  ['no execution at all', (t) => delete t['execution'], [/^handlers: execution is missing$/]],
  [
    'handlers with different targets',
    (t) => ((handlers(t)['Node24'] as Json)['target'] = 'other.js'),
    [/^handlers: execution handlers point at different targets: index\.js, other\.js$/],
  ],
  [
    'a pre-job stage with other handlers',
    (t) => (t['prejobexecution'] = { Node16: { target: 'index.js' } }),
    [
      /^handlers: prejobexecution lacks Node20_1$/,
      /^handlers: prejobexecution lacks Node24$/,
      /^handlers: prejobexecution\.Node16 is not allowed/,
    ],
  ],
  [
    'an older minimumAgentVersion',
    (t) => (t['minimumAgentVersion'] = '2.144.0'),
    [/^agent: minimumAgentVersion is "2\.144\.0", expected "3\.232\.1"/],
  ],
  [
    'a fractional version',
    (t) => ((t['version'] as Json)['Minor'] = 1.5),
    [/^version: Minor is 1\.5, expected a non-negative integer$/],
  ],
  [
    'a version part as text',
    (t) => ((t['version'] as Json)['Patch'] = '3'),
    [/^schema: \$\.version\.Patch: is string/, /^version: Patch is "3"/],
  ],
  [
    'an input in a missing group',
    (t) => (inputNamed(t, 'target')['groupName'] = 'nowhere'),
    [/^inputs\.target: groupName "nowhere" names no declared group$/],
  ],
  [
    'an input without group',
    (t) => delete inputNamed(t, 'target')['groupName'],
    [/^inputs\.target: has no groupName$/],
  ],
  [
    'an empty group',
    (t) => (t['groups'] as Json[]).push({ name: 'empty', displayName: 'Empty' }),
    [/^groups\.empty: no input is in this group$/],
  ],
  [
    'a visibleRule naming an unknown input',
    (t) => (inputNamed(t, 'target')['visibleRule'] = 'modee = fast'),
    [/^inputs\.target: visibleRule "modee = fast" names unknown input "modee"$/],
  ],
  [
    'a group visibleRule naming an unknown input',
    (t) => ((t['groups'] as Json[])[1]!['visibleRule'] = 'speed = fast'),
    [/^groups\.advanced: visibleRule .* unknown input "speed"$/],
  ],
  [
    'a visibleRule mixing && and ||',
    (t) => (inputNamed(t, 'suffix')['visibleRule'] = 'mode = fast && dryRun = true || target Contains x'),
    [/^inputs\.suffix: visibleRule .* mixes && and \|\|/],
  ],
  [
    'an unreadable visibleRule',
    (t) => (inputNamed(t, 'suffix')['visibleRule'] = 'mode ~ fast'),
    [/^inputs\.suffix: visibleRule .* cannot read the predicate "mode ~ fast"$/],
  ],
  [
    'a visibleRule comparing with a value a pickList lacks',
    (t) => (inputNamed(t, 'target')['visibleRule'] = 'mode = turbo'),
    [/^inputs\.target: visibleRule .* "turbo", which is not one of its values \(safe, fast\)$/],
  ],
  [
    'a pickList without options',
    (t) => delete inputNamed(t, 'mode')['options'],
    [/^inputs\.mode: a pickList input needs options$/],
  ],
  [
    'a pickList default outside its options',
    (t) => (inputNamed(t, 'mode')['defaultValue'] = 'turbo'),
    [/^inputs\.mode: defaultValue "turbo" is not one of its options \(safe, fast\)$/],
  ],
  [
    'a radio input without default',
    (t) => {
      inputNamed(t, 'mode')['type'] = 'radio';
      delete inputNamed(t, 'mode')['defaultValue'];
    },
    [/^inputs\.mode: defaultValue undefined is not one of its options/],
  ],
  [
    'a boolean default as a JSON boolean',
    (t) => (inputNamed(t, 'dryRun')['defaultValue'] = false),
    [/^inputs\.dryRun: boolean defaultValue false must be the string "true" or "false"$/],
  ],
  [
    'a boolean default that is not true/false',
    (t) => (inputNamed(t, 'dryRun')['defaultValue'] = 'yes'),
    [/^inputs\.dryRun: boolean defaultValue "yes"/],
  ],
  [
    'two inputs whose names differ in case',
    (t) => inputs(t).push({ name: 'Target', type: 'string', label: 'T', groupName: 'main' }),
    [/^inputs: name or alias "Target" is declared twice$/],
  ],
  [
    'an alias equal to another input',
    (t) => (inputNamed(t, 'target')['aliases'] = ['dryRun']),
    [/^inputs: name or alias "dryRun" is declared twice$/],
  ],
  [
    'settable variables that leave out an output variable',
    (t) => (t['restrictions'] = { settableVariables: { allowed: ['imageReference', 'PATH'] } }),
    [/^restrictions: output variable "digest" is not in settableVariables.allowed$/],
  ],
  [
    'two output variables of one name',
    (t) => (t['outputVariables'] as Json[]).push({ name: 'digest' }),
    [/^outputVariables: "digest" is declared twice$/],
  ],
];

describe('checkTaskJson', () => {
  let taskDir: string;
  before(() => {
    taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-taskjson-'));
    fs.writeFileSync(path.join(taskDir, 'index.js'), '');
    fs.writeFileSync(path.join(taskDir, 'other.js'), '');
  });
  after(() => fs.rmSync(taskDir, { recursive: true, force: true }));

  it('accepts the valid sample', () => {
    assert.deepEqual(checkTaskJson(sampleTask(), taskDir), []);
  });

  it('accepts settable variables that cover the outputs by wildcard, in any case', () => {
    const task = sampleTask();
    task['restrictions'] = { settableVariables: { allowed: ['DIG?ST', 'other'] } };
    assert.deepEqual(checkTaskJson(task, taskDir), []);
  });

  it('accepts a pre-job stage with the same handlers', () => {
    const task = sampleTask();
    task['prejobexecution'] = structuredClone(task['execution']);
    assert.deepEqual(checkTaskJson(task, taskDir), []);
  });

  it('rejects a document that is not an object', () => {
    assert.deepEqual(checkTaskJson([], taskDir), ['schema: $: is array, expected "object"']);
  });

  for (const [what, breakIt, expected] of brokenSamples) {
    it(`reports ${what}`, () => {
      const task = sampleTask();
      breakIt(task);
      const errors = checkTaskJson(task, taskDir);
      for (const pattern of expected) {
        assert.ok(
          errors.some((e) => pattern.test(e)),
          `no message matches ${String(pattern)} in:\n${errors.join('\n')}`,
        );
      }
      const unexpected = errors.filter((e) => !expected.some((p) => p.test(e)));
      assert.deepEqual(unexpected, [], 'messages nobody asked for');
    });
  }
});

describe('parseVisibleRule', () => {
  it('reads symbol and word operators joined by && or ||', () => {
    assert.deepEqual(parseVisibleRule('a = b && c != d e'), {
      join: '&&',
      predicates: [
        { input: 'a', operator: '=', value: 'b' },
        { input: 'c', operator: '!=', value: 'd e' },
      ],
    });
    assert.deepEqual(parseVisibleRule('x NotEndsWith .yaml || y StartsWith v1').predicates, [
      { input: 'x', operator: 'NotEndsWith', value: '.yaml' },
      { input: 'y', operator: 'StartsWith', value: 'v1' },
    ]);
  });

  it('refuses a predicate without value', () => {
    assert.throws(() => parseVisibleRule('a ='), /cannot read the predicate "a ="/);
  });
});

describe('validateJsonSchema', () => {
  it('reports nested paths, $ref targets and unsupported keywords', () => {
    const schema = {
      definitions: { port: { type: 'integer', minimum: 1 } },
      type: 'object',
      properties: { ports: { type: 'array', items: { $ref: '#/definitions/port' } } },
      propertyNames: { pattern: '^[a-z]+$' },
    };
    assert.deepEqual(validateJsonSchema({ ports: [80, 0, 'x'] }, schema), [
      '$.ports[1]: 0 breaks minimum 1',
      '$.ports[2]: is string, expected "integer"',
      '$: schema keyword "propertyNames" is not supported by this validator',
    ]);
  });

  it('accepts a value that matches one branch of anyOf and rejects one matching none', () => {
    const schema = { anyOf: [{ enum: ['a'] }, { type: 'string', pattern: '^b' }] };
    assert.deepEqual(validateJsonSchema('bee', schema), []);
    assert.equal(validateJsonSchema('cee', schema).length, 1);
  });
});
