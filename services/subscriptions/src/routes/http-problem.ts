/**
 * An error the staff API answers with a 4xx problem+json: the platform's error handler reads
 * `statusCode`, `name` (the title) and `code`.
 */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = HttpProblem.titles[statusCode] ?? 'Bad Request'
  }

  private static readonly titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    422: 'Unprocessable Content',
  }
}
