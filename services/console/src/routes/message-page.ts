/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/**
 * A small self-contained page (no script, no external style) for moments the SPA cannot answer:
 * a sign-in that did not complete, a console whose web bundle is not built.
 */
export function messagePage(title: string, text: string, link?: { href: string; label: string }, code?: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Banditore</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.5">
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
${code ? `<pre style="background:#f2f2f2;padding:0.75rem;overflow:auto"><code>${escapeHtml(code)}</code></pre>` : ''}
${link ? `<p><a href="${escapeHtml(link.href)}" style="color:#0047a3">${escapeHtml(link.label)}</a></p>` : ''}
</main>
</body>
</html>
`
}
