/** The secrets the test tenant's file names, by environment variable. */
export const SECRETS: Record<string, string> = {
  BORGO_WA_TOKEN: 'borgo-access-token',
  BORGO_WA_SECRET: 'borgo-app-secret',
  BORGO_SMS_SID: 'ACborgo',
  BORGO_SMS_TOKEN: 'borgo-auth-token',
}

export const BORGO = {
  id: 'borgo',
  phoneNumberId: '109000000000777',
  whatsappNumber: '+393330000777',
  smsNumber: '+393330000778',
} as const

export interface BorgoOptions {
  whatsappMps?: number
  smsMps?: number
  extraTopics?: string[]
  /** The tenant file's `emergency` block. */
  emergency?: Record<string, unknown>
}

/** The tenant file (borgo.json): a municipality with a WhatsApp number and an SMS number at the given tiers. */
export function borgoTenantDocument({ whatsappMps = 80, smsMps = 10, extraTopics = [], emergency }: BorgoOptions = {}): Record<string, unknown> {
  return {
    version: 1,
    id: BORGO.id,
    name: 'Comune di Borgo',
    languages: ['it', 'fr'],
    channels: {
      whatsapp: {
        phoneNumberId: BORGO.phoneNumberId,
        number: BORGO.whatsappNumber,
        accessTokenEnv: 'BORGO_WA_TOKEN',
        appSecretEnv: 'BORGO_WA_SECRET',
        messagesPerSecond: whatsappMps,
      },
      sms: { number: BORGO.smsNumber, accountSidEnv: 'BORGO_SMS_SID', authTokenEnv: 'BORGO_SMS_TOKEN', messagesPerSecond: smsMps },
    },
    mode: 'unidirectional',
    signup: { doors: ['whatsapp', 'sms'] },
    keywords: {
      subscribe: { it: ['ISCRIVIMI'], fr: ['INSCRIS-MOI'] },
      unsubscribe: { it: ['CANCELLAMI'], fr: ['DÉSINSCRIS-MOI'] },
      topics: { it: ['TEMI'], fr: ['THÈMES'] },
    },
    topics: [
      { id: 'emergenze', names: { it: 'EMERGENZE', fr: 'URGENCES' }, alwaysOn: true },
      { id: 'avvisi', names: { it: 'AVVISI', fr: 'AVIS' } },
      { id: 'eventi', names: { it: 'EVENTI', fr: 'ÉVÉNEMENTS' } },
      ...extraTopics.map((id) => ({ id, names: { it: id.toUpperCase(), fr: id.toUpperCase() } })),
    ],
    // What subscriptions answers citizens of Borgo (its confirmations, in both languages).
    texts: {
      it: {
        welcome:
          "Comune di Borgo: iscrizione al servizio di messaggistica WhatsApp avvenuta. Salva questo numero in rubrica, altrimenti non riceverai i messaggi del Comune. Riceverai: {topics}. I messaggi sono inviati in modalità broadcast (non è un gruppo). Per scegliere i temi invia {topicsKeyword} seguito dai temi, ad esempio {topicsKeyword} EVENTI; per cancellarti invia {unsubscribeKeyword}. Segue la policy del servizio.",
        alreadySubscribed:
          "Comune di Borgo: sei già iscritto al servizio. Per cancellarti invia {unsubscribeKeyword}.",
        unsubscribed:
          "Comune di Borgo: sei stato rimosso dalle liste WhatsApp del Comune, non riceverai più messaggi. Per iscriverti di nuovo invia {keyword}.",
        autoReply:
          "Comune di Borgo: questo servizio WhatsApp non è bidirezionale, i messaggi inviati a questo numero non vengono letti. Per le tue istanze continua a usare i canali abituali del Comune ({contacts}).",
        topicsChanged:
          "Comune di Borgo: temi aggiornati. Riceverai: {topics}. Le emergenze arrivano sempre.",
        topicsHelp:
          "Comune di Borgo: i temi disponibili sono {allTopics}. Invia ad esempio {topicsKeyword} EVENTI.",
        notSubscribed:
          "Comune di Borgo: non risulti iscritto. Per iscriverti invia {keyword}.",
        confirmationRequest:
          "Comune di Borgo: per confermare l'iscrizione di questo numero rispondi {confirmWord} entro {validityHours} ore. Se non l'hai richiesta, ignora questo messaggio.",
      },
      fr: {
        welcome:
          "Commune de Borgo : votre inscription au service de messagerie WhatsApp est confirmée. Enregistrez ce numéro dans vos contacts, sinon vous ne recevrez pas les messages de la Commune. Vous recevrez : {topics}. Les messages sont envoyés en mode diffusion (ce n'est pas un groupe). Pour choisir les thèmes, envoyez {topicsKeyword} suivi des thèmes, par exemple {topicsKeyword} ÉVÉNEMENTS ; pour vous désinscrire, envoyez {unsubscribeKeyword}. La politique du service suit.",
        alreadySubscribed:
          "Commune de Borgo : vous êtes déjà inscrit au service. Pour vous désinscrire, envoyez {unsubscribeKeyword}.",
        unsubscribed:
          "Commune de Borgo : vous avez été retiré des listes WhatsApp de la Commune, vous ne recevrez plus de messages. Pour vous réinscrire, envoyez {keyword}.",
        autoReply:
          "Commune de Borgo : ce service WhatsApp n'est pas bidirectionnel, les messages envoyés à ce numéro ne sont pas lus. Pour vos demandes, continuez à utiliser les canaux habituels de la Commune ({contacts}).",
        topicsChanged:
          "Commune de Borgo : thèmes mis à jour. Vous recevrez : {topics}. Les urgences sont toujours envoyées.",
        topicsHelp:
          "Commune de Borgo : les thèmes disponibles sont {allTopics}. Envoyez par exemple {topicsKeyword} ÉVÉNEMENTS.",
        notSubscribed:
          "Commune de Borgo : vous n'êtes pas inscrit. Pour vous inscrire, envoyez {keyword}.",
        confirmationRequest:
          "Commune de Borgo : pour confirmer l'inscription de ce numéro, répondez {confirmWord} dans les {validityHours} heures. Si vous ne l'avez pas demandée, ignorez ce message.",
      },
    },
    privacyPolicy: { it: 'Informativa sul trattamento dei dati personali del Comune di Borgo.', fr: 'Politique de confidentialité de la Commune de Borgo.' },
    contacts: { email: 'urp@borgo.example' },
    ...(emergency ? { emergency } : {}),
  }
}
