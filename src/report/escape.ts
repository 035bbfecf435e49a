/**
 * Escaping for the two documents. Every string that comes from the project (service and image
 * names, environment values quoted in findings, route hosts) is untrusted: a compose file is
 * enough to put markup in it.
 */

/** Text or attribute value in HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

/**
 * Plain text in Markdown: markup characters are escaped (so a name cannot open a link, emphasis
 * or a table cell) and HTML is written as entities, since Markdown renderers pass raw HTML through.
 */
export function escapeMarkdown(text: string): string {
  // Quotes need no entity outside attributes; &, < and > do (raw HTML passes through).
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]|#~]/g, (ch) => `\\${ch}`)
    .replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!);
}
