// Stand-ins for tests and benchmarks; production code never imports this surface.
export { TokenBucketRateLimiter, type TokenBucketRate, type TokenBucketRateLimiterOptions } from './token-bucket-rate-limiter.js'
export { startWebhookCapture, type CapturedWebhook } from './webhook-capture.js'
