import type { FastifyReply } from 'fastify'

/** Problem types the console itself answers (the APIs behind it answer their own). */
export const ConsoleProblems = {
  sessionExpired: { type: 'https://banditore.it/problemi/sessione-scaduta', code: 'SESSION_EXPIRED', title: 'Sessione scaduta' },
  csrf: { type: 'https://banditore.it/problemi/richiesta-non-verificata', code: 'CSRF_REJECTED', title: 'Richiesta non verificata' },
  upstream: { type: 'https://banditore.it/problemi/servizio-non-raggiungibile', code: 'UPSTREAM_UNAVAILABLE', title: 'Servizio non raggiungibile' },
  notFound: { type: 'about:blank', code: 'NOT_FOUND', title: 'Non trovato' },
} as const

export type ConsoleProblem = (typeof ConsoleProblems)[keyof typeof ConsoleProblems]

/** Answers an RFC 9457 problem with an Italian title and detail the SPA shows as they are. */
export function sendProblem(reply: FastifyReply, status: number, problem: ConsoleProblem, detail: string): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send({ type: problem.type, title: problem.title, status, detail, code: problem.code })
}

export const SESSION_EXPIRED_DETAIL = 'La sessione è scaduta o non è attiva. Accedi di nuovo per continuare: le bozze non inviate restano salvate in questo browser.'
export const CSRF_DETAIL = 'La richiesta non porta il codice di verifica della sessione. Ricarica la pagina e riprova.'
