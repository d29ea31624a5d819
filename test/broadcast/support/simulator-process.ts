import { freePort } from '../../harness/nats-server.js'
import { setPriority } from 'node:os'
import { type RecordedMessage, type SimTwilioAccount, type SimWhatsAppSender } from '@banditore/provider-simulator'
import { spawnService, waitForHttp, type ServiceProcess } from '../../harness/service-process.js'

/** The provider simulator in its own process, driven over its /_sim control API. */
export interface SimulatorProcess {
  url: string
  process: ServiceProcess
  stats(filter?: Record<string, string>): Promise<{ record: { total: number; duplicateMessages: number; distinctRecipients: number }; rejections: Record<string, number> }>
  maxInWindow(windowMs: number, filter?: Record<string, string>): Promise<Record<string, number>>
  messages(filter?: Record<string, string>): Promise<RecordedMessage[]>
  setLimits(limits: Record<string, unknown>): Promise<void>
  setFaults(plan: unknown): Promise<void>
  reset(): Promise<void>
  stop(): Promise<void>
}


/**
 * Starts packages/providers' simulator entry as a child process: the provider then keeps its own
 * clock and event loop, as a remote one does, and its throughput accounting is not disturbed by
 * the sender's work.
 */
export async function startSimulatorProcess(options: {
  whatsapp?: SimWhatsAppSender[]
  twilio?: SimTwilioAccount[]
  env?: Record<string, string>
  /**
   * Scheduling priority (nice value, lower runs first). A real provider is remote: its clock
   * does not stall because the machine running the sender is busy; raising the simulator's
   * priority keeps its sliding-second accounting honest on a shared machine.
   */
  priority?: number
}): Promise<SimulatorProcess> {
  const port = await freePort()
  const proc = spawnService('services/provider-simulator/src/main.ts', {
    SIM_HOST: '127.0.0.1',
    SIM_PORT: String(port),
    SIM_LOG_LEVEL: 'warn',
    SIM_SENDERS: JSON.stringify({ whatsapp: options.whatsapp ?? [], twilio: options.twilio ?? [] }),
    ...options.env,
  })
  if (options.priority !== undefined && proc.child.pid !== undefined) setPriority(proc.child.pid, options.priority)
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/_sim/health`, 200, 30_000, () => proc.child.exitCode === null)
  const query = (filter: Record<string, string> = {}) => new URLSearchParams(filter).toString()
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${url}${path}`, init)
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`)
    return (response.status === 204 ? undefined : await response.json()) as T
  }
  const put = (path: string, body: unknown) => ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return {
    url,
    process: proc,
    stats: (filter) => json(`/_sim/stats?${query(filter)}`),
    maxInWindow: async (windowMs, filter) => (await json<{ maxInWindow: Record<string, number> }>(`/_sim/throughput?${query({ ...filter, windowMs: String(windowMs) })}`)).maxInWindow,
    messages: async (filter) => (await json<{ messages: RecordedMessage[] }>(`/_sim/messages?${query({ limit: '100000', ...filter })}`)).messages,
    setLimits: async (limits) => void (await json(`/_sim/limits`, put('/_sim/limits', limits))),
    setFaults: async (plan) => void (await json(`/_sim/faults`, put('/_sim/faults', plan))),
    reset: async () => void (await json('/_sim/reset', { method: 'POST' })),
    stop: async () => void (await proc.signal('SIGTERM')),
  }
}
