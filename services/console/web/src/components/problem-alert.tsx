import { ApiError } from '../api/api-client'

/** An API refusal as a readable Italian alert (role="alert": announced at once). */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  const message = error instanceof ApiError ? error.message : 'Si è verificato un errore imprevisto. Riprova.'
  return (
    <div className="alert alert-danger" role="alert">
      {title ? <strong className="d-block">{title}</strong> : null}
      {message}
    </div>
  )
}
