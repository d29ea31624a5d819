import { Link } from 'react-router-dom'
import { usePageTitle } from '../layout/page-title'

/** "Accesso non consentito": a route the person's roles do not allow, or an API's 403. */
export function RefusalPage({ detail }: { detail?: string }) {
  usePageTitle('Accesso non consentito')
  return (
    <section aria-labelledby="titolo-rifiuto">
      <h1 id="titolo-rifiuto" tabIndex={-1}>
        Accesso non consentito
      </h1>
      <div className="callout danger">
        <div className="callout-title">Permessi insufficienti</div>
        <p>{detail ?? 'Il tuo profilo non ha i permessi per questa pagina nel Comune selezionato.'}</p>
      </div>
      <p>
        Se pensi di averne diritto, chiedi all’amministratore del tuo Comune di assegnarti il ruolo adatto. <Link to="/">Torna al cruscotto</Link>
      </p>
    </section>
  )
}
