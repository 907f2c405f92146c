// Data written into the markdown of build summaries: it may never break a table, a list item or
// an inline code span (the one escaping rule for every summary).

/** Text for a table cell or a list item: pipes escaped, line breaks made spaces. */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Text as inline code: escaped as a cell, backticks (which would end the span) made quotes. */
export function markdownCode(text: string): string {
  return `\`${markdownCell(text).replace(/`/g, "'")}\``;
}
