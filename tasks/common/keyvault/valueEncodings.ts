import path from 'node:path';
import { type Encoded, EncodingError, type TokenSite } from './encodingTypes';
import { encodeYaml } from './yamlEncoding';

export const ENCODINGS = ['auto', 'none', 'json', 'yaml', 'xml', 'base64'] as const;
export type EncodingName = (typeof ENCODINGS)[number];
export type FileEncoding = Exclude<EncodingName, 'auto'>;

/** `auto`: JSON string escaping in .json, YAML in .yml/.yaml, XML in .xml/.config, none elsewhere. */
export function encodingForFile(file: string, configured: EncodingName): FileEncoding {
  if (configured !== 'auto') return configured;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yml' || ext === '.yaml') return 'yaml';
  if (ext === '.xml' || ext === '.config') return 'xml';
  return 'none';
}

/** JSON string escaping, without the quotes: the placeholder sits inside a JSON string. */
export function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Characters XML 1.0 cannot hold at all, not even as character references. */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * XML escaping valid in text and in attribute values alike: markup characters as entities, and
 * tab, LF and CR as character references (a parser normalises the raw ones: CR LF to LF, and in
 * attributes every whitespace to a space).
 */
export function xmlEscape(value: string): string {
  if (NOT_XML.test(value)) {
    throw new EncodingError('the value holds characters XML 1.0 cannot represent (control characters)');
  }
  return value.replace(/[&<>"'\t\n\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

function insideCdata(site: TokenSite): boolean {
  const open = site.text.lastIndexOf('<![CDATA[', site.start);
  return open >= 0 && site.text.lastIndexOf(']]>', site.start) < open;
}

function encodeXml(value: string, site: TokenSite): string {
  if (!insideCdata(site)) return xmlEscape(value);
  if (value.includes(']]>') || value.includes('\r') || NOT_XML.test(value)) {
    throw new EncodingError(
      "the placeholder is inside a CDATA section and the value holds ']]>', a CR or control characters; " +
        'move the placeholder out of the CDATA section',
    );
  }
  return value;
}

/** The replacement of the placeholder at `site` by `value` in `encoding`. */
export function encodeAt(encoding: FileEncoding, value: string, site: TokenSite): Encoded {
  const simple = (text: string): Encoded => ({
    start: site.start,
    end: site.end,
    text,
    forms: text === value ? [] : [text],
  });
  switch (encoding) {
    case 'none':
      return simple(value);
    case 'json':
      return simple(jsonStringContent(value));
    case 'xml':
      return simple(encodeXml(value, site));
    case 'base64':
      return simple(Buffer.from(value, 'utf8').toString('base64'));
    case 'yaml':
      return encodeYaml(value, site);
  }
}
