import { Alert } from 'design-react-kit'
import { ApiError } from '../api/api-client'

/** An API refusal as a readable Italian alert (role="alert": announced at once). */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  const message = error instanceof ApiError ? error.message : 'Si è verificato un errore imprevisto. Riprova.'
  // No fade: the message is readable (and its contrast measurable) the moment it is announced.
  return (
    <Alert color="danger" fade={false} role="alert">
      {title ? <strong className="d-block">{title}</strong> : null}
      {message}
    </Alert>
  )
}
