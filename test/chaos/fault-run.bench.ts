/**
 * The full fault run (issue #17), printing its figures: 3,050 citizens subscribe through the
 * real path, a broadcast goes to all of them on an 80 msg/s number, and while it runs the
 * worker, the staff API, subscriptions and ingest are killed with SIGKILL (and restarted, as a
 * supervisor does), NATS and PostgreSQL are restarted, and 200 more citizens write.
 *
 *   pnpm bench:faults                       one replica of every deployable, then two
 *   FAULT_RUN_REPLICAS=2 pnpm bench:faults  two replicas only
 *   FAULT_RUN_CITIZENS=500 FAULT_RUN_INBOUND=50 pnpm bench:faults
 *
 * Needs the PostgreSQL server binaries, nats-server and the temporal CLI (`./banditore infra install`).
 */
import { cpus, loadavg } from 'node:os'
import { runFaultRun } from './fault-run.js'

const citizens = Number(process.env.FAULT_RUN_CITIZENS ?? 3050)
const inbound = Number(process.env.FAULT_RUN_INBOUND ?? 200)
const mps = Number(process.env.FAULT_RUN_MPS ?? 80)
const variants = process.env.FAULT_RUN_REPLICAS ? [Number(process.env.FAULT_RUN_REPLICAS) as 1 | 2] : ([1, 2] as const)

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
let failed = false
for (const replicas of variants) {
  console.log(`\n== fault run: ${citizens} citizens, ${inbound} writing during the faults, ${mps} msg/s, ${replicas} replica(s) of every deployable ==`)
  const report = await runFaultRun({ citizens, inboundDuringFaults: inbound, messagesPerSecond: mps, replicas, log: (line) => console.log(`  · ${line}`) })
  const { quiet, faults } = report.replyLatency
  console.log(`faults applied:        ${report.faults.join(', ')}`)
  console.log(`broadcast:             ${JSON.stringify(report.progress)}`)
  console.log(`missed:                ${report.missed} of ${report.audience}`)
  console.log(`doubled:               ${report.doubled}`)
  console.log(`inbound lost:          ${report.lostInbound} of ${inbound}`)
  console.log(`replies doubled:       ${report.doubledReplies}`)
  console.log(`unexpected exits:      ${report.unexpectedExits.length}${report.unexpectedExits.map((e) => `\n  ${e.slice(0, 400)}`).join('')}`)
  console.log(`bad input misanswered: ${report.badInputMisanswered.length ? report.badInputMisanswered.join('; ') : 0}`)
  console.log(`first reply, quiet:    p50 ${quiet.p50} ms, p99 ${quiet.p99} ms, max ${quiet.max} ms (${quiet.count})`)
  console.log(`first reply, faults:   p50 ${faults.p50} ms, p99 ${faults.p99} ms, max ${faults.max} ms (${faults.count})`)
  console.log(`took ${report.seconds} s`)
  failed ||= report.missed + report.doubled + report.lostInbound + report.doubledReplies + report.unexpectedExits.length + report.badInputMisanswered.length > 0
}
process.exit(failed ? 1 : 0)
