/** The provider's pages people see, in Italian and accessible: labelled inputs, one heading, errors tied to inputs. */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Banditore</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; padding: .5rem; margin-top: .25rem; font-size: 1rem; box-sizing: border-box; }
  input[aria-invalid="true"] { border: 2px solid #b00020; }
  .error { color: #b00020; margin-top: .5rem; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
  :focus-visible { outline: 3px solid #0066cc; outline-offset: 2px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`
}

export function loginPage(options: { action: string; clientName: string; username?: string; error?: string }): string {
  const error = options.error
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : ''
  return page(
    'Accesso',
    `<h1>Accesso del personale</h1>
<p>Accedi per continuare su ${escape(options.clientName)}.</p>
${error ? `<p id="login-error" class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="${escape(options.action)}" novalidate>
  <label for="username">Nome utente</label>
  <input id="username" name="username" type="text" autocomplete="username" required autofocus value="${escape(options.username ?? '')}"${invalid}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
  <button type="submit">Accedi</button>
</form>`,
  )
}

export function consentPage(options: { action: string; abortAction: string; clientName: string; scopes: string[] }): string {
  return page(
    'Autorizzazione',
    `<h1>Autorizzare l'applicazione?</h1>
<p>${escape(options.clientName)} chiede di accedere a: ${escape(options.scopes.join(', ') || 'la tua identità')}.</p>
<form method="post" action="${escape(options.action)}">
  <button type="submit">Autorizza</button>
</form>
<form method="post" action="${escape(options.abortAction)}">
  <button type="submit">Annulla</button>
</form>`,
  )
}

export function logoutPage(form: string): string {
  return page(
    'Uscita',
    `<h1>Uscire da Banditore?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Esci</button>
<button type="submit" form="op.logoutForm">Resta collegato</button>`,
  )
}

export function errorPage(message: string): string {
  return page('Errore', `<h1>Si è verificato un errore</h1>\n<p role="alert">${escape(message)}</p>`)
}

export function loggedOutPage(): string {
  return page('Uscita', '<h1>Sei uscito</h1>\n<p>Puoi chiudere questa finestra.</p>')
}
