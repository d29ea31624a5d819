import { OutboundReplyContract, Streams, Subjects } from '@banditore/contracts'
import { consumeDurable, PermanentMessageError, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import type { ReplyInput } from '../workflows/reply-types.js'
import type { replyWorkflow } from '../workflows/reply.workflow.js'

export interface ReplyDispatchOptions {
  nc: NatsConnection
  client: Client
  taskQueue: string
  logger: Logger
}

/** The Temporal workflow id of a reply: a repeated request maps onto the same execution. */
export const replyWorkflowId = (tenant: string, replyId: string) => `reply:${tenant}:${replyId}`

/**
 * Turns each `outbound.reply.<tenant>` command into a reply workflow. The command is acked once
 * Temporal has the workflow, so a crash in between redelivers it and the workflow id dedupes it.
 */
export async function startReplyDispatch({ nc, client, taskQueue, logger }: ReplyDispatchOptions): Promise<RunningConsumer> {
  return await consumeDurable(
    nc,
    {
      stream: Streams.outbound.name,
      durable: 'worker-replies',
      filterSubject: Subjects.outboundReply('*'),
      maxDeliver: 10,
      concurrency: 8,
    },
    async (msg) => {
      let reply
      try {
        reply = OutboundReplyContract.decode(msg.data)
      } catch (cause) {
        throw new PermanentMessageError('outbound reply violates its contract', { code: 'CONTRACT_VIOLATION', cause })
      }
      const input: ReplyInput = {
        replyId: reply.id,
        tenant: reply.tenant,
        channel: reply.channel,
        to: reply.to,
        text: reply.text,
        lastInboundAt: reply.lastInboundAt,
        ...(reply.template ? { template: reply.template } : {}),
      }
      try {
        await client.workflow.start<typeof replyWorkflow>('replyWorkflow', {
          workflowId: replyWorkflowId(reply.tenant, reply.id),
          taskQueue,
          args: [input],
          // A reply that already ran (even to completion) is never started again.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        })
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
        logger.debug({ tenant: reply.tenant, replyId: reply.id }, 'reply already dispatched')
      }
    },
    logger,
  )
}
