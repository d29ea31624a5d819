/** What a citizen or URP operator reads when a sign-up form is refused or accepted (it, fr for Gressan). */
export const SIGNUP_TEXTS = {
  it: {
    invalidForm: 'Il modulo non è valido: controlla i campi evidenziati.',
    unknownTenant: 'Comune sconosciuto.',
    webDoorClosed: 'Questo Comune non accetta iscrizioni tramite modulo web.',
    paperDoorClosed: 'Questo Comune non accetta iscrizioni da moduli cartacei.',
    nameRequired: 'Indica nome e cognome.',
    invalidPhone: 'Il numero di telefono non è valido.',
    unknownTopic: 'Argomento non disponibile: {topic}.',
    consentRequired: "Per iscriverti devi accettare l'informativa sul trattamento dei dati personali.",
    unknownLanguage: 'Lingua non disponibile per questo Comune.',
    policyChanged: "L'informativa sul trattamento dei dati personali è stata aggiornata: ricarica la pagina, leggila e invia di nuovo il modulo.",
    signedInFuture: 'La data di firma non può essere nel futuro.',
    tooManyFromAddress: 'Troppe richieste di iscrizione da questa connessione. Riprova più tardi.',
    tooManyForNumber: 'Troppe richieste di iscrizione per questo numero. Riprova più tardi.',
    confirmationSent: 'Grazie! Ti abbiamo inviato un messaggio: rispondi per confermare l’iscrizione.',
    paperRecorded: 'Modulo registrato.',
    paperAlreadyRecorded: 'Modulo già registrato in precedenza.',
  },
  fr: {
    invalidForm: 'Le formulaire n’est pas valide : vérifiez les champs signalés.',
    unknownTenant: 'Commune inconnue.',
    webDoorClosed: 'Cette commune n’accepte pas les inscriptions par formulaire web.',
    paperDoorClosed: 'Cette commune n’accepte pas les inscriptions sur formulaire papier.',
    nameRequired: 'Indiquez vos nom et prénom.',
    invalidPhone: 'Le numéro de téléphone n’est pas valide.',
    unknownTopic: 'Thème non disponible : {topic}.',
    consentRequired: 'Pour vous inscrire, vous devez accepter la notice sur le traitement des données personnelles.',
    unknownLanguage: 'Langue non disponible pour cette commune.',
    policyChanged: 'La notice sur le traitement des données personnelles a été mise à jour : rechargez la page, lisez-la et renvoyez le formulaire.',
    signedInFuture: 'La date de signature ne peut pas être dans le futur.',
    tooManyFromAddress: 'Trop de demandes d’inscription depuis cette connexion. Réessayez plus tard.',
    tooManyForNumber: 'Trop de demandes d’inscription pour ce numéro. Réessayez plus tard.',
    confirmationSent: 'Merci ! Nous vous avons envoyé un message : répondez-y pour confirmer l’inscription.',
    paperRecorded: 'Formulaire enregistré.',
    paperAlreadyRecorded: 'Formulaire déjà enregistré.',
  },
} as const

export type SignupTextKey = keyof (typeof SIGNUP_TEXTS)['it']

/** The text in `language` when we have it, Italian otherwise. */
export function signupText(language: string | undefined, key: SignupTextKey, values: Record<string, string> = {}): string {
  const table = language === 'fr' ? SIGNUP_TEXTS.fr : SIGNUP_TEXTS.it
  return table[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '')
}
