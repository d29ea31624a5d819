import { readFileSync } from 'node:fs'
import http from 'node:http'
import { createWhatsAppCloudClient, type FetchFunction } from '@banditore/providers'
import { startSimulatorProcess } from '/work/main/test/broadcast/support/simulator-process.js'
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
const lean: FetchFunction = (input, init) => new Promise((resolve, reject) => {
  const req = http.request(input, { method: init.method, headers: init.headers as Record<string, string>, agent }, (res) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () => { const body = Buffer.concat(chunks).toString('utf8'); resolve({ status: res.statusCode ?? 0, headers: { get: (n: string) => (res.headers[n.toLowerCase()] as string | undefined) ?? null }, text: async () => body } as unknown as Response) })
    res.on('error', reject)
  })
  req.on('error', reject)
  req.end(init.body as string)
})
const sim = await startSimulatorProcess({ whatsapp: [{ phoneNumberId: '1', displayPhoneNumber: '+393330000555', accessToken: 't', throughputPerSecond: 1e7 }] })
const pid = sim.process.child.pid!
const simCpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(' '); return (Number(f[13]) + Number(f[14])) / 100 }
try {
for (const [name, f] of [['lean', lean]] as const) {
  const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: f })
  const N = 10000, conc = 256
  let next = 0
  const t0 = performance.now(); const cpu0 = process.cpuUsage(); const s0 = simCpu()
  await Promise.all(Array.from({ length: conc }, async () => { for (let i = next++; i < N; i = next++) await client.sendTemplate({ sender: { phoneNumberId: '1', accessToken: 't' }, to: `+39347${String(i).padStart(7, '0')}`, correlation: `c${i}`, template: { name: 'a', languageCode: 'it', body: [{ type: 'text', text: 'x' }] } }) }))
  const s = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  process.stdout.write(`${name} rate=${Math.round(N / s)}/s clientCPU=${((cpu.user + cpu.system) / 1e6 / s * 100).toFixed(0)}% simCPU=${((simCpu() - s0) / s * 100).toFixed(0)}%\n`)
  await sim.reset()
}
} finally { await sim.stop() }
