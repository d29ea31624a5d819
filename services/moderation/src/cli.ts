import { Command, Option } from 'commander'
import { DEFAULT_RULES_DIR, DEFAULT_TENANTS_DIR, userPath } from './cli/cli-context.js'
import { checkCommand } from './cli/check-command.js'
import { classifyCommand } from './cli/classify-command.js'
import { corpusCommand } from './cli/corpus-command.js'
import { corpusBuildCommand } from './cli/corpus-build-command.js'
import { classifierTrainCommand } from './cli/classifier-train-command.js'
import { outboundCommand } from './cli/outbound-command.js'
import { PUBLISH_DEFAULTS, publishCommand } from './cli/publish-command.js'
import { schemaCommand } from './cli/schema-command.js'
import { testCommand } from './cli/test-command.js'

/** The policy editors' tool: `pnpm --filter @banditore/moderation rules <command>`. */
const program = new Command('rules')
  .description('Check, test, dry-run and publish the moderation rules in rules/')
  .showHelpAfterError()

// The same variables as the service's, so the CLI in an image finds what the service finds.
const rulesOption = () => new Option('--rules <dir>', 'the rules directory').env('RULES_DIR').argParser(userPath).default(DEFAULT_RULES_DIR)

const withSources = (command: Command) =>
  command
    .addOption(rulesOption())
    .addOption(new Option('--tenants <dir>', 'the tenant configuration directory').env('TENANTS_DIR').argParser(userPath).default(DEFAULT_TENANTS_DIR))

withSources(program.command('check'))
  .description('validate every rule, cases and lexicon file; problems as "file /json/path: reason"; exit 1 on any')
  .action(checkCommand)

withSources(program.command('test'))
  .description("run every rule's cases (messages that must and must not match); exit 1 on a failure")
  .option('--rule <name>', 'only this rule')
  .option('--tenant <dir>', 'only the rules of this rules/tenants/<dir>')
  .action(testCommand)

withSources(program.command('classify'))
  .description('read {"text", "from"} JSON lines on stdin, print one verdict per line')
  .requiredOption('--tenant <id>', 'the tenant whose rules apply')
  .action(classifyCommand)

withSources(program.command('outbound'))
  .description('read broadcast drafts {"it": "...", "fr": "..."} as JSON lines on stdin, print the flagged categories')
  .requiredOption('--tenant <id>', 'the tenant whose rules apply')
  .action(outboundCommand)

withSources(program.command('corpus'))
  .description('precision and recall per category over the labelled corpus (rules/corpus/*.jsonl)')
  .option('--file <path...>', 'corpus files instead of rules/corpus/*.jsonl', (path: string, previous: string[] = []) => [...previous, userPath(path)])
  .option('--mistakes', 'list every message the rules get wrong')
  .addOption(new Option('--split <split>', 'dev (rules/corpus/*.jsonl but *.test.jsonl), test (*.test.jsonl, held out: do not tune on it) or all').choices(['dev', 'test', 'all']).default('all'))
  .action(corpusCommand)

program
  .command('corpus-build')
  .description('build rules/corpus/written.{dev,test}.jsonl from the hand-written sources in rules/corpus/written/')
  .addOption(rulesOption())
  .option('--check', 'only report whether the built files are up to date')
  .action(corpusBuildCommand)

program
  .command('classifier-train')
  .description('train the text classifier on the dev split of rules/corpus and write models/text-classifier.json')
  .addOption(rulesOption())
  .option('--out <file>', 'where to write the model (default: the shipped one)')
  .option('--cv', 'only print 5-fold cross-validated precision and recall per threshold, on the dev split')
  .action(classifierTrainCommand)

program
  .command('schema')
  .description('report whether rules/*.schema.json match the code; --write regenerates them')
  .addOption(rulesOption())
  .option('--write', 'write the generated schemas')
  .action(schemaCommand)

withSources(program.command('publish'))
  .description('check and test, then put the ruleset bundle into the NATS KV bucket the services watch')
  .addOption(new Option('--nats-url <url>', 'NATS servers, comma-separated').env('NATS_URL').default('nats://127.0.0.1:4222'))
  .option('--bucket <name>', 'KV bucket', PUBLISH_DEFAULTS.bucket)
  .option('--key <key>', 'KV key', PUBLISH_DEFAULTS.key)
  .action(publishCommand)

await program.parseAsync()
