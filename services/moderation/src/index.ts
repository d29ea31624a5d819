/** @banditore/moderation: the municipal policy as declarative rules, and the service that applies it. */
export { buildApp, type ModerationApp, type ModerationDeps } from './app.js'
export { loadConfig, ModerationConfigSchema, type ModerationConfig } from './config.js'

// Rulesets: load, validate, compile, swap.
export { compileRuleset, CompiledRuleset, type CompileOptions } from './ruleset/compiled-ruleset.js'
export { RulesetStore, type RulesetLoadOutcome, type RulesetListener } from './ruleset/ruleset-store.js'
export { readRulesetDirectory, rulesetVersionOf, type RulesetFiles } from './ruleset/ruleset-files.js'
export { createBundle, filesOfBundle } from './ruleset/ruleset-bundle.js'
export { watchRulesDirectory, type DirectoryWatch } from './ruleset/directory-watch-source.js'
export { watchRulesetBucket, type BucketWatch, type RulesetBucket } from './ruleset/kv-bundle-source.js'
export { formatIssue, ModerationEngineError, RulesetInvalidError, RulesetSourceError, type RulesetIssue } from './ruleset/ruleset-error.js'
export { generatedSchemaFiles, RuleFileSchema, CasesFileSchema, LexiconFileSchema } from './ruleset/rule-file-schema.js'
export { FACTS, type FactName, type MessageFacts } from './facts/fact-catalog.js'
export { OPERATORS, type OperatorName } from './operators/operator-catalog.js'

// Deciding.
export { computeMessageFacts, type ModerationInput } from './facts/message-facts.js'
export { moderationInputOf } from './inbound/moderation-input.js'
export { createVerdictHandler, type VerdictPublisher } from './inbound/verdict-handler.js'
export { ACTION_SEVERITY, decisionOf, isViolation, type Decision } from './verdict/verdict-decision.js'
export { normalizeText, type NormalizedText } from './text/text-normalizer.js'
export { InMemorySenderHistoryStore, type SenderHistoryStore } from './sender/sender-history-store.js'
export { KvSenderHistoryStore, openSenderHistoryBucket, type SenderHistoryBucket } from './sender/kv-sender-history-store.js'
export { servePrivacyExports } from './sender/privacy-export-responder.js'
export { JetStreamSenderOrderGate, jetStreamOrderSource, type OrderSource, type SenderOrderGate } from './sender/sender-order-gate.js'
export { NO_HISTORY, type SenderHistory } from './sender/sender-history.js'
export { defaultProfile, ProfileDirectory, profileFromTenant, type ModerationProfile } from './tenant/moderation-profile.js'

// Outbound policy.
export { checkBroadcastDraft, type OutboundCheckResult } from './outbound/outbound-check.js'
export { answerOutboundCheck, serveOutboundChecks } from './outbound/outbound-responder.js'

// Quality.
export { runRuleCases, type CaseFailure, type CaseReport } from './cases/case-runner.js'
export { evaluateCorpus, parseCorpus, type CorpusReport } from './corpus/corpus-evaluator.js'
/** The deployable, as its main.ts runs it (the test world starts it the same way). */
export { moderationService } from './moderation-service.js'
