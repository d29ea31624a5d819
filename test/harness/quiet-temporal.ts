import { DefaultLogger, Runtime } from '@temporalio/worker'

// Temporal's SDK logs every worker state change at INFO; tests keep its warnings only. The
// runtime is per process and installs once, so a second file in the same process keeps the first.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') })
} catch {
  // already installed in this process
}
