import { Link } from 'react-router-dom'
import { ApiError } from '../api/api-client'
import { usePageTitle } from '../layout/page-title'
import { RefusalPage } from './refusal-page'

/** A failure turned into readable Italian: refusal page for 403, never a stack trace. */
export function ErrorPage({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 403) return <RefusalPage detail={error.message} />
  return <ErrorBody error={error} />
}

function ErrorBody({ error }: { error: unknown }) {
  const notFound = error instanceof ApiError && error.status === 404
  usePageTitle(notFound ? 'Non trovato' : 'Errore')
  return (
    <section>
      <h1 tabIndex={-1}>{notFound ? 'Pagina non trovata' : 'Qualcosa non ha funzionato'}</h1>
      <div className="alert alert-danger" role="alert">
        {error instanceof ApiError ? error.message : 'Si è verificato un errore imprevisto. Ricarica la pagina o riprova tra poco.'}
      </div>
      <Link to="/">Torna al cruscotto</Link>
    </section>
  )
}

export function NotFoundPage() {
  return <ErrorPage error={new ApiError({ status: 404, detail: 'La pagina richiesta non esiste.' })} />
}
