// Placeholders replaced in memory and read back with real parsers (JSON, YAML, XML entities,
// base64): values exact, surroundings untouched, encoded forms registered, all-or-nothing files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../../tasks/common/errors';
import { replaceFilesAtomically } from '../../../tasks/common/files/atomicFiles';
import { type RenderOptions, renderFile, renderFiles } from '../../../tasks/common/keyvault/renderFiles';
import { silentLogger } from '../../../tasks/common/log';
import { MULTI_LINE_VALUE, SPECIAL_VALUE } from '../../support/keyVaultEnvironment';

const SAFE = 'Plain.Value_42';
const BLOCK = 'line one\n  indented: two\n\nlast # not a comment';
const values: Record<string, string> = {
  special: SPECIAL_VALUE,
  multi: MULTI_LINE_VALUE,
  safe: SAFE,
  block: BLOCK,
  ctl: 'bell\u0007char',
};
const lookup = (name: string) => values[name.toLowerCase()];
const options = (encoding: RenderOptions['encoding'] = 'auto'): RenderOptions => ({
  prefix: '#{',
  suffix: '}#',
  encoding,
  unresolved: 'fail',
});

function render(file: string, text: string, encoding: RenderOptions['encoding'] = 'auto') {
  const registered: string[] = [];
  const result = renderFile(file, Buffer.from(text, 'utf8'), lookup, options(encoding), {
    register: (v) => registered.push(v),
  });
  return { result, text: result.output.toString('utf8'), registered };
}

/** XML character data as a parser returns it: entity and character references decoded. */
const xmlText = (s: string) =>
  s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_m, ref: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return named[ref] ?? '';
  });

describe('placeholders in files', () => {
  it('JSON: string escaping, read back exactly by JSON.parse; the escaped form is registered', () => {
    const { text, registered, result } = render(
      'app.json',
      '{"a": "#{special}#", "b": "x#{multi}#y", "c": "#{ Safe }#"}',
    );
    assert.deepEqual(JSON.parse(text), { a: SPECIAL_VALUE, b: `x${MULTI_LINE_VALUE}y`, c: SAFE });
    assert.ok(registered.includes(JSON.stringify(SPECIAL_VALUE).slice(1, -1)));
    assert.deepEqual([result.encoding, result.replaced.length], ['json', 3]);
  });

  it('YAML: every place a placeholder can take reads back exactly', () => {
    const template = [
      'plain: #{special}#',
      'double: "#{special}#"',
      'embedded: "pre-#{multi}#-post"',
      "single: '#{special}#'",
      "singleMulti: '#{multi}#'",
      'list:',
      '  - #{multi}#  # a comment',
      'block: |-',
      '  #{block}#',
      'url: https://user:#{safe}#@host/x',
      '',
    ].join('\r\n');
    const { text } = render('values.yaml', template);
    assert.deepEqual(parseYaml(text), {
      plain: SPECIAL_VALUE,
      double: SPECIAL_VALUE,
      embedded: `pre-${MULTI_LINE_VALUE}-post`,
      single: SPECIAL_VALUE,
      singleMulti: MULTI_LINE_VALUE,
      list: [MULTI_LINE_VALUE],
      block: BLOCK,
      url: `https://user:${SAFE}@host/x`,
    });
    assert.ok(text.split('\r\n').length >= 10 && !/[^\r]\n/.test(text), 'CRLF line endings kept');
  });

  it('YAML: refuses a value that would change an unquoted scalar, naming file, line and secret only', () => {
    assert.throws(
      () => render('values.yml', 'a: 1\nurl: https://user:#{special}#@host\n'),
      (e: unknown) =>
        e instanceof UserError &&
        /^values\.yml:2: the value of 'special' cannot be written as yaml/.test(e.message) &&
        !e.message.includes(SPECIAL_VALUE),
    );
  });

  it('XML: entities and character references in text and attributes; raw in CDATA', () => {
    const { text } = render(
      'web.config',
      `<c><add value="#{special}#">#{multi}#</add><![CDATA[#{safe}#]]></c>`,
    );
    const attr = /value="([^"]*)"/.exec(text)?.[1] ?? '';
    const body = />([^<]*)<\/add>/.exec(text)?.[1] ?? '';
    assert.equal(xmlText(attr), SPECIAL_VALUE);
    assert.equal(xmlText(body), MULTI_LINE_VALUE);
    assert.ok(!/[\r\n]/.test(text), 'line breaks written as references');
    assert.ok(text.includes(`<![CDATA[${SAFE}]]>`));
    assert.throws(
      () => render('a.xml', '<a>#{ctl}#</a>'),
      /a\.xml:1: the value of 'ctl' cannot be written as xml: .*XML 1\.0 cannot represent/,
    );
  });

  it('base64 and none: the UTF-8 bytes, exactly', () => {
    const b64 = render('secret.txt', 'k=#{special}#\n', 'base64').text;
    assert.equal(Buffer.from(b64.slice(2, -1), 'base64').toString('utf8'), SPECIAL_VALUE);
    const none = render('cert.pem', 'before\n#{multi}#after', 'auto');
    assert.equal(none.result.encoding, 'none');
    assert.equal(none.text, `before\n${MULTI_LINE_VALUE}after`);
  });

  it('keeps every byte outside placeholders: BOM, non-UTF-8 bytes, line endings', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('caf'),
      Buffer.from([0xe9]),
      Buffer.from(' #{safe}# \r\n#{safe}#\n'),
    ]);
    const out = renderFile('x.txt', bytes, lookup, options(), { register: () => undefined }).output;
    const expected = Buffer.concat([bytes.subarray(0, 7), Buffer.from(` ${SAFE} \r\n${SAFE}\n`)]);
    assert.ok(out.equals(expected));
  });

  it('reports unresolved placeholders with their lines; custom prefix and suffix', () => {
    const r = renderFile(
      'a.txt',
      Buffer.from('x\n__safe__ __nope__\n__ other __\n'),
      lookup,
      { ...options(), prefix: '__', suffix: '__', unresolved: 'keep' },
      { register: () => undefined },
    );
    assert.deepEqual(r.unresolved, [
      { name: 'nope', line: 2 },
      { name: 'other', line: 3 },
    ]);
    assert.equal(r.output.toString(), `x\n${SAFE} __nope__\n__ other __\n`);
  });
});

describe('writing rendered files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-kv-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fail: an unresolved placeholder in one file stops every file; warn and keep write', () => {
    const good = path.join(dir, 'good.txt');
    const bad = path.join(dir, 'bad.txt');
    fs.writeFileSync(good, '#{safe}#');
    fs.writeFileSync(bad, '#{safe}# #{missing}#');
    assert.throws(
      () => renderFiles([good, bad], lookup, options(), { register: () => undefined }, silentLogger),
      /1 placeholder\(s\) name no selected secret, so no file was changed:\n {2}.*bad\.txt:1: #\{missing\}#/,
    );
    const warnings: string[] = [];
    const rendered = renderFiles(
      [good, bad],
      lookup,
      { ...options(), unresolved: 'warn' },
      { register: () => undefined },
      {
        ...silentLogger,
        warn: (m) => warnings.push(m),
      },
    );
    assert.equal(warnings.length, 1);
    assert.deepEqual(
      rendered.map((r) => r.output.toString()),
      [SAFE, `${SAFE} #{missing}#`],
    );
  });

  it('replaces files in place, keeping mode and symlinks, leaving no temporary file', async () => {
    const file = path.join(dir, 'app.json');
    const link = path.join(dir, 'link.json');
    fs.writeFileSync(file, 'old', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    fs.symlinkSync(file, link);
    await replaceFilesAtomically([{ path: link, bytes: Buffer.from('new') }]);
    assert.equal(fs.readFileSync(file, 'utf8'), 'new');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['app.json', 'link.json']);
  });

  it('changes nothing when one file cannot be staged', async () => {
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, 'old');
    await assert.rejects(
      replaceFilesAtomically([
        { path: file, bytes: Buffer.from('new') },
        { path: path.join(dir, 'gone', 'b.txt'), bytes: Buffer.from('new') },
      ]),
      /Could not write .*b\.txt: .*No file was changed/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['a.txt']);
  });
});
