/** The page shell and escaping shared by the self-contained HTML reports. */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** a figure with its unit ("6.830 mJ", "76.80%", "72.94 M"): right-aligned and never broken across lines */
const FIGURE = /^[-+]?\d[\d,.]*(\s?[A-Za-z%][A-Za-z^2/% ]{0,12})?$/;

/** A table cell: `html` is its content, `text` the plain text it shows. */
export function tableCell(html: string, text: string): string {
  return FIGURE.test(text.trim()) ? `<td class="n">${html}</td>` : `<td>${html}</td>`;
}

/** A self-contained page: inline style, no scripts, no external resources. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
td.n { white-space: nowrap; text-align: right; }
th { background: #f2f2f2; }
figure.chart { margin: 1em 0; }
code { background: #f5f5f5; padding: 0 3px; }
</style></head>
<body>
${body}
</body></html>
`;
}
