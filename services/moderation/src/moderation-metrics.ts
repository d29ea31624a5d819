import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** The service's Prometheus metrics, on GET /metrics beside the process defaults. */
export function createModerationMetrics() {
  const registry = new Registry()
  return {
    registry,
    verdicts: new Counter({
      name: 'moderation_verdicts_total',
      help: 'Verdicts decided and published, by tenant and action (a redelivered message counts again)',
      labelNames: ['tenant', 'action'],
      registers: [registry],
    }),
    decideSeconds: new Histogram({
      name: 'moderation_decide_seconds',
      help: 'Time to decide one message (facts and rules), seconds',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05],
      registers: [registry],
    }),
    rulesetLoads: new Counter({
      name: 'moderation_ruleset_loads_total',
      help: 'Ruleset loads by outcome: loaded or refused',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rulesetInfo: new Gauge({
      name: 'moderation_ruleset_info',
      help: 'The ruleset in force (value 1, version as label)',
      labelNames: ['version'],
      registers: [registry],
    }),
    outboundChecks: new Counter({
      name: 'moderation_outbound_checks_total',
      help: 'Outbound draft checks answered, by result: clean, flagged, error',
      labelNames: ['result'],
      registers: [registry],
    }),
  }
}

export type ModerationMetrics = ReturnType<typeof createModerationMetrics>
